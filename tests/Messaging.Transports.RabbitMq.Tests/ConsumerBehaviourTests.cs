using System.Collections.Concurrent;
using System.Text;
using Messaging.Testing;
using Messaging.Transport;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

public sealed class ConsumerBehaviourTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Envelope NewEnvelope(string destination, string key, int sequence) => new()
    {
        MessageId = Envelope.NewMessageId(), MessageType = "lanes.test", Destination = destination, PartitionKey = key,
        Body = Encoding.UTF8.GetBytes(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    [Fact]
    public async Task With_concurrency_8_one_key_is_handled_serially_in_order_and_different_keys_run_concurrently()
    {
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:ConcurrentMessageLimit"] = "8" });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var batch = Enumerable.Range(0, 240).Select(i => NewEnvelope(endpoint.Destinations[0], $"key-{i % 12}", i)).ToList();
        await transport.SendBatchAsync(batch, CancellationToken.None);

        var perKeyInFlight = new ConcurrentDictionary<string, int>();
        var received = new ConcurrentQueue<Envelope>();
        int inFlight = 0, maxInFlight = 0, keyOverlaps = 0, started = 0;
        // The first message waits until a message of another key is in flight beside it: lanes that run concurrently get
        // there at once whatever the machine's speed; a consumer that runs one message at a time never does.
        var twoInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            var key = m.Envelope.PartitionKey!;
            if (perKeyInFlight.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref keyOverlaps);
            var now = Interlocked.Increment(ref inFlight);
            for (var seen = Volatile.Read(ref maxInFlight); now > seen; seen = Volatile.Read(ref maxInFlight))
                Interlocked.CompareExchange(ref maxInFlight, now, seen);
            if (now > 1) twoInFlight.TrySetResult();
            if (Interlocked.Increment(ref started) == 1) await Task.WhenAny(twoInFlight.Task, Task.Delay(Deadline / 3, ct));
            await Task.Delay(5, ct); // work that takes a while, so a lane that let a key overlap would show it
            received.Enqueue(m.Envelope);
            Interlocked.Decrement(ref inFlight);
            perKeyInFlight.AddOrUpdate(key, 0, (_, n) => n - 1);
            return ProcessingResult.Ack;
        }, stop.Token);

        await Eventually.WaitUntilAsync(() => received.Count >= batch.Count, Deadline, "240 messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
        Assert.Equal(0, keyOverlaps);
        Assert.True(twoInFlight.Task.IsCompleted, $"no two keys were in flight at once (max in flight {maxInFlight})");
        foreach (var key in batch.Select(e => e.PartitionKey).Distinct())
            Assert.Equal(batch.Where(e => e.PartitionKey == key).Select(e => e.MessageId), received.Where(e => e.PartitionKey == key).Select(e => e.MessageId));
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, endpoint.Name)); // every message acked
    }

    [Fact]
    public async Task Handler_in_flight_at_stop_finishes_within_the_grace_and_is_acked_not_redelivered()
    {
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:ShutdownGraceMs"] = "10000" });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        await transport.SendAsync(NewEnvelope(endpoint.Destinations[0], "k", 1), CancellationToken.None);

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var cancelledBeforeDone = false;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            await release.Task;
            cancelledBeforeDone = ct.IsCancellationRequested;
            return ProcessingResult.Ack;
        }, stop.Token);
        await started.Task.WaitAsync(Deadline);
        await stop.CancelAsync();
        Assert.False(receiving.IsCompleted); // stopping waits for the handler in flight
        release.SetResult();
        await receiving.WaitAsync(Deadline);

        Assert.False(cancelledBeforeDone);
        Assert.Equal(1, calls);
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, endpoint.Name)); // acked: nothing requeued
    }

    [Fact]
    public async Task Without_topology_declaration_start_up_names_the_missing_exchange_or_queue()
    {
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        var passive = new Dictionary<string, string?> { ["Messaging:RabbitMq:DeclareTopology"] = "false" };
        var (provider, transport) = TestHost.Transport(broker, passive);
        await using (provider)
        {
            var ex = await Assert.ThrowsAsync<MessagingException>(() => transport.PrepareAsync([endpoint], CancellationToken.None));
            Assert.Contains($"no exchange '{endpoint.Destinations[0]}'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("DeclareTopology", ex.Message, StringComparison.Ordinal);
            Assert.Null(await BrokerQueues.ReadyCountAsync(broker, endpoint.Name)); // nothing was declared
        }
        // Operations declare the topology (here: a transport that may); then the passive start-up succeeds.
        var (ownerProvider, owner) = TestHost.Transport(broker);
        await using (ownerProvider) await owner.PrepareAsync([endpoint], CancellationToken.None);
        (provider, transport) = TestHost.Transport(broker, passive);
        await using (provider) await transport.PrepareAsync([endpoint], CancellationToken.None);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task Endpoint_queue_is_single_active_consumer_unless_turned_off(string? setting, bool declared)
    {
        var settings = new Dictionary<string, string?>();
        if (setting is not null) settings["Messaging:RabbitMq:SingleActiveConsumer"] = setting;
        var (provider, transport) = TestHost.Transport(broker, settings);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        // A redeclare succeeds only with exactly the arguments the queue has.
        await BrokerQueues.RedeclareAsync(broker, endpoint.Name, RabbitMqQueueArguments.Endpoint(endpoint, new RabbitMqOptions { SingleActiveConsumer = declared }));
        await Assert.ThrowsAnyAsync<Exception>(() => BrokerQueues.RedeclareAsync(broker, endpoint.Name, RabbitMqQueueArguments.Endpoint(endpoint, new RabbitMqOptions { SingleActiveConsumer = !declared })));
    }

    /// <summary>A queue an earlier version declared without <c>x-single-active-consumer</c> keeps its arguments: start-up
    /// fails with the broker's 406 and says which settings to match or that the queue must be declared again.</summary>
    [Fact]
    public async Task Endpoint_queue_declared_with_other_arguments_fails_start_up_naming_the_settings()
    {
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await BrokerQueues.RedeclareAsync(broker, endpoint.Name, RabbitMqQueueArguments.Endpoint(endpoint, new RabbitMqOptions { SingleActiveConsumer = false }));
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var ex = await Assert.ThrowsAsync<MessagingException>(() => transport.PrepareAsync([endpoint], CancellationToken.None));
        Assert.Contains($"refused queue '{endpoint.Name}': 406", ex.Message, StringComparison.Ordinal);
        Assert.Contains("x-single-active-consumer", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:RabbitMq:SingleActiveConsumer", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A dead-letter queue declared as another queue type: the 406 names the one setting its arguments come from,
    /// not the endpoint queue's single-active-consumer setting, which it does not carry.</summary>
    [Fact]
    public async Task Dead_letter_queue_of_another_type_fails_start_up_naming_only_the_queue_type()
    {
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        var dlq = RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name);
        await BrokerQueues.RedeclareAsync(broker, dlq, RabbitMqQueueArguments.DeadLetter(new RabbitMqOptions { QueueType = RabbitMqQueueType.Classic }));
        var (provider, transport) = TestHost.Transport(broker); // quorum by default
        await using var _ = provider;
        var ex = await Assert.ThrowsAsync<MessagingException>(() => transport.PrepareAsync([endpoint], CancellationToken.None));
        Assert.Contains($"refused queue '{dlq}': 406", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set Messaging:RabbitMq:QueueType to what it has", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SingleActiveConsumer", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>What a failover looks like to the broker: an earlier consumer still holds a key's first two messages
    /// unacknowledged (the broker has not yet seen it die) when the service's consumer attaches and a third message of the
    /// key arrives. With the default single-active-consumer queue the earlier consumer is still the active one, so the
    /// third waits, and the service's consumer gets all three in order once the earlier one is gone; a queue with
    /// competing consumers hands the service's consumer the third one first.</summary>
    [Fact]
    public async Task Consumer_attaching_while_an_earlier_consumer_holds_messages_receives_the_key_in_order()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        await transport.SendBatchAsync([NewEnvelope(endpoint.Destinations[0], "k", 1), NewEnvelope(endpoint.Destinations[0], "k", 2)], CancellationToken.None);

        var earlier = await broker.OpenConnectionAsync();
        var earlierChannel = await earlier.CreateChannelAsync();
        await earlierChannel.BasicQosAsync(0, 2, false); // full with messages 1 and 2: it takes nothing more
        var held = 0;
        var holder = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(earlierChannel);
        holder.ReceivedAsync += (_, _) => { Interlocked.Increment(ref held); return Task.CompletedTask; }; // never acked
        await earlierChannel.BasicConsumeAsync(endpoint.Name, autoAck: false, holder);
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref held) == 2, Deadline, "the earlier consumer to hold messages 1 and 2");

        var received = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            received.Enqueue(Encoding.UTF8.GetString(m.Envelope.Body.Span));
            return Task.FromResult(ProcessingResult.Ack);
        }, stop.Token);
        await transport.SendAsync(NewEnvelope(endpoint.Destinations[0], "k", 3), CancellationToken.None);
        // Either the queue keeps message 3 ready (the earlier consumer is the active one, and full) or hands it to the
        // service's consumer at once.
        await Eventually.WaitUntilAsync(async () => !received.IsEmpty || await BrokerQueues.ReadyCountAsync(broker, endpoint.Name) == 1u,
            Deadline, "message 3 to be kept ready or received");
        await earlier.CloseAsync(); // the earlier consumer goes: messages 1 and 2 come back
        await earlier.DisposeAsync();

        await Eventually.WaitUntilAsync(() => received.Count >= 3, Deadline, "three messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
        Assert.Equal(["1", "2", "3"], received.ToArray());
    }
}
