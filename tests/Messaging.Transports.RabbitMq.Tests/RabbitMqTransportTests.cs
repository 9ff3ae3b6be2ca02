using System.Text;
using Messaging.Testing;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using PublishException = Messaging.Publishing.PublishException;
using Xunit;

namespace Messaging.RabbitMq.Tests;

public sealed class RabbitMqTransportTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Envelope NewEnvelope(string destination, string? key = null) => new()
    {
        MessageId = Envelope.NewMessageId(),
        MessageType = "rabbitmq.test",
        Destination = destination,
        PartitionKey = key,
        Body = Encoding.UTF8.GetBytes("{}"),
    };

    [Theory]
    [InlineData("Quorum", "quorum")]
    [InlineData("Classic", "classic")]
    public async Task Published_message_is_persistent_on_a_durable_queue(string queueType, string xQueueType)
    {
        // basic.get below: a quorum queue with a single active consumer refuses it (405 RESOURCE_LOCKED).
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:QueueType"] = queueType,
            ["Messaging:RabbitMq:SingleActiveConsumer"] = "false",
        });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var sent = NewEnvelope(endpoint.Destinations[0], "k");
        await transport.SendAsync(sent, CancellationToken.None);

        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        BasicGetResult? got = null;
        await Eventually.WaitUntilAsync(() => (got = channel.BasicGetAsync(endpoint.Name, autoAck: true).GetAwaiter().GetResult()) is not null,
            Deadline, "the message in the queue");
        Assert.Equal(DeliveryModes.Persistent, got!.BasicProperties.DeliveryMode);
        Assert.Equal(sent.MessageId, got.BasicProperties.MessageId);
        Assert.Equal(sent.MessageType, got.BasicProperties.Type);
        Assert.Equal(sent.MessageType, got.RoutingKey);

        // A redeclare with the same arguments succeeds only if the queue is durable with this x-queue-type.
        Dictionary<string, object?> Arguments() => new()
        {
            ["x-queue-type"] = xQueueType,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name),
        };
        await channel.QueueDeclareAsync(endpoint.Name, durable: true, exclusive: false, autoDelete: false, arguments: Arguments());
        await channel.QueueDeclareAsync(RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = xQueueType });
        await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            channel.QueueDeclareAsync(endpoint.Name, durable: false, exclusive: false, autoDelete: false, arguments: Arguments()));
    }

    [Fact]
    public async Task Invalid_prefetch_fails_start_up_naming_the_key()
    {
        using var host = TestHost.Build(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:Prefetch"] = "0" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:RabbitMq:Prefetch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1..65535", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_are_each_named_with_their_allowed_values()
    {
        using var host = TestHost.Build(broker, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:QueueType"] = "7",
            ["Messaging:RabbitMq:PublishTimeoutMs"] = "0",
            ["Messaging:RabbitMq:MaxOutstandingConfirms"] = "70000",
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:RabbitMq:QueueType", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Quorum, Classic", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:RabbitMq:PublishTimeoutMs", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:RabbitMq:MaxOutstandingConfirms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_are_not_validated_when_another_transport_is_selected()
    {
        using var host = TestHost.Build(broker, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:RabbitMq:Prefetch"] = "0",
        });
        await host.StartAsync(); // no OptionsValidationException
        // The host runs on the selected transport, and the RabbitMQ settings were bound but never validated.
        Assert.Equal("InMemory", host.Services.GetRequiredService<IMessageTransport>().Name);
        Assert.Equal(0, host.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value.Prefetch);
        await host.StopAsync();
    }

    [Fact]
    public async Task Unreachable_broker_fails_start_up_in_FailFast_mode()
    {
        const string password = "Unreachable-S3cret";
        using var host = TestHost.Build(broker, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Uri"] = broker.WithPassword(password, port: 1),
            ["Messaging:StartupMode"] = "FailFast",
        });
        var ex = await Assert.ThrowsAsync<BrokerUnavailableException>(() => host.StartAsync());
        Assert.Contains(":1 ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_never_appears_in_exception_messages()
    {
        const string password = "Wrong-Pa55word";
        // Refused login on the real broker.
        using (var host = TestHost.Build(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:Uri"] = broker.WithPassword(password) }))
        {
            var ex = await Assert.ThrowsAsync<MessagingException>(() => host.StartAsync());
            Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
        }
        // A URI the validator refuses.
        using (var host = TestHost.Build(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:Uri"] = $"http://guest:{password}@localhost/" }))
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("Messaging:RabbitMq:Uri", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
        }
        // A publish that cannot connect.
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:Uri"] = broker.WithPassword(password, port: 1) });
        await using (provider)
        {
            var ex = await Assert.ThrowsAsync<PublishException>(() => transport.SendAsync(NewEnvelope("anywhere"), CancellationToken.None));
            Assert.Equal(PublishFailure.BrokerUnavailable, ex.Failure);
            Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Batch_to_an_unbound_destination_lists_every_message_as_unroutable()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var bound = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([bound], CancellationToken.None);
        var nowhere = Names.Unique("nowhere");
        var batch = new[] { NewEnvelope(bound.Destinations[0]), NewEnvelope(nowhere), NewEnvelope(bound.Destinations[0]), NewEnvelope(nowhere) };

        var ex = await Assert.ThrowsAsync<BatchPublishException>(() => transport.SendBatchAsync(batch, CancellationToken.None));
        Assert.Equal([batch[1].MessageId, batch[3].MessageId], ex.Failures.Select(f => f.MessageId));
        Assert.All(ex.Failures, f => Assert.Equal(PublishFailure.Unroutable, f.Failure));
        Assert.Contains(nowhere, ex.Failures[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_without_a_message_id_is_dead_lettered_at_once()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var calls = 0;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, UnreadableMessages.DeadLetteredBefore((_, _) => { Interlocked.Increment(ref calls); return Task.FromResult(ProcessingResult.Ack); }), stop.Token);

        await using (var connection = await broker.OpenConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.BasicPublishAsync(endpoint.Destinations[0], "foreign", mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes("raw"));

        var dead = await RabbitMqFixture.ReadDeadLetterAsync(broker, endpoint.Name, endpoint.Destinations[0], Deadline);
        Assert.Contains("envelope could not be read", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.StartsWith($"queue {endpoint.Name} delivery-tag ", dead.Headers[HeaderNames.DeadLetterSource], StringComparison.Ordinal);
        Assert.Equal("raw", Encoding.UTF8.GetString(dead.Body.Span));
        Assert.Equal(0, calls);
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Delivery_with_a_header_that_is_not_utf8_is_dead_lettered_and_the_next_one_is_handled()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var handled = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, UnreadableMessages.DeadLetteredBefore((m, _) => { handled.Enqueue(m.Envelope.MessageId); return Task.FromResult(ProcessingResult.Ack); }), stop.Token);

        var badId = Envelope.NewMessageId();
        var properties = new BasicProperties
        {
            Persistent = true,
            Headers = new Dictionary<string, object?> { [HeaderNames.MessageId] = Encoding.UTF8.GetBytes(badId), ["tenant"] = new byte[] { 0x61, 0xC3, 0x28 } },
        };
        await using (var connection = await broker.OpenConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.BasicPublishAsync(endpoint.Destinations[0], "", mandatory: true, properties, Encoding.UTF8.GetBytes("{}"));
        var good = NewEnvelope(endpoint.Destinations[0]);
        await transport.SendAsync(good, CancellationToken.None);

        var dead = await RabbitMqFixture.ReadDeadLetterAsync(broker, endpoint.Name, endpoint.Destinations[0], Deadline);
        Assert.Contains("header 'tenant' is not valid UTF-8", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Equal(badId, dead.MessageId);
        await Eventually.WaitUntilAsync(() => handled.Contains(good.MessageId), Deadline, "the next message handled");
        Assert.DoesNotContain(badId, handled);
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Redelivered_message_carries_the_redelivered_flag()
    {
        // The first handler runs until the stop cancels it: a short grace ends it in 1 s, not the default 10 s.
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:ShutdownGraceMs"] = "1000" });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var sent = NewEnvelope(endpoint.Destinations[0]);
        await transport.SendAsync(sent, CancellationToken.None);

        using var firstStop = new CancellationTokenSource();
        var seen = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            seen.TrySetResult(m);
            await Task.Delay(Timeout.Infinite, ct);
            return ProcessingResult.Ack;
        }, firstStop.Token);
        Assert.False((await seen.Task.WaitAsync(Deadline)).Redelivered);
        await firstStop.CancelAsync();
        await first.WaitAsync(Deadline);

        using var secondStop = new CancellationTokenSource();
        var again = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = transport.ReceiveAsync(endpoint, (m, _) => { again.TrySetResult(m); return Task.FromResult(ProcessingResult.Ack); }, secondStop.Token);
        var redelivered = await again.Task.WaitAsync(Deadline);
        Assert.Equal(sent.MessageId, redelivered.Envelope.MessageId);
        Assert.True(redelivered.Redelivered);
        await secondStop.CancelAsync();
        await second.WaitAsync(Deadline);
    }
}
