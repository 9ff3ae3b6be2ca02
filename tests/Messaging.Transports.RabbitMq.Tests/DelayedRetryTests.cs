using Messaging.Publishing;
using Messaging.RabbitMq.Consuming;
using Messaging.Testing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Messaging.RabbitMq.Tests;

public sealed class DelayedRetryTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Failing_handler_gets_delayed_retries_through_retry_queues_then_is_dead_lettered()
    {
        var destination = Names.Unique("retry");
        var endpoint = Names.Unique("ep");
        var probe = new HandlerProbe { AlwaysFail = true };
        using var host = BuildHost(endpoint, destination, probe, new()
        {
            ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "200",
            ["Messaging:Retry:DelayedRetryDelaysMs:1"] = "400",
        });
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        Assert.True(transport.Capabilities.HasFlag(TransportCapabilities.DelayedRetry));
        await host.StartAsync();
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 42));

        var dead = await RabbitMqFixture.ReadDeadLetterAsync(broker, endpoint, destination, Deadline);
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("9", dead.Headers[HeaderNames.DeadLetterAttempts]); // 3 deliveries × MaxAttempts 3
        Assert.Equal("2", dead.Headers[HeaderNames.RetryCount]);
        Assert.Contains("failed after 9 attempt", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Equal(9, probe.Calls.Count);
        Assert.All(probe.Calls, c => Assert.Equal(sent.MessageId, c.Context.Envelope.MessageId));
        await host.StopAsync();

        // The retry queues exist, empty, with TTL and dead-lettering back to the endpoint queue.
        var ep = new ConsumerEndpoint(endpoint, [destination]);
        var options = new RabbitMqOptions();
        foreach (var delay in new[] { 200, 400 })
        {
            var queue = RabbitMqQueueArguments.RetryQueue(endpoint, delay);
            Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, queue));
            await BrokerQueues.RedeclareAsync(broker, queue, RabbitMqQueueArguments.Retry(ep, delay, options));
        }
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, endpoint));
    }

    [Fact]
    public async Task Message_that_succeeds_on_a_delayed_retry_is_handled_and_not_dead_lettered()
    {
        var destination = Names.Unique("retry-ok");
        var endpoint = Names.Unique("ep");
        // The three immediate attempts fail, the delayed retry's first attempt succeeds: counted by the handler itself.
        var probe = new HandlerProbe { FailFirstCalls = 3 };
        using var host = BuildHost(endpoint, destination, probe, new() { ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "300" });
        await host.StartAsync();
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        await Eventually.WaitUntilAsync(() => probe.Calls.Count >= 4, Deadline, "the delayed retry");
        Assert.Equal([1, 2, 3, 1], probe.Calls.Select(c => c.Context.Attempt)); // the fourth call is the delayed retry's first attempt
        await host.StopAsync();
        Assert.Equal(4, probe.Calls.Count);
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, RabbitMqQueueArguments.DeadLetterQueue(endpoint)));
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, endpoint));
    }

    [Fact]
    public async Task Crash_looping_message_is_parked_once_its_delivery_count_passes_MaxDeliveries()
    {
        var destination = Names.Unique("poison");
        var endpoint = Names.Unique("ep");
        var probe = new HandlerProbe();
        using var host = BuildHost(endpoint, destination, probe, new() { ["Messaging:Retry:MaxDeliveries"] = "3" });
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        await transport.PrepareAsync([new ConsumerEndpoint(endpoint, [destination])], CancellationToken.None);
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));
        // Three consumers "crash" while handling it: each returns it unacknowledged; the quorum queue counts them.
        await BrokerQueues.ReturnUnackedAsync(broker, endpoint, times: 3, Deadline);

        await host.StartAsync(); // the fourth delivery: x-delivery-count 3, DeliveryCount 4 > MaxDeliveries 3
        var dead = await RabbitMqFixture.ReadDeadLetterAsync(broker, endpoint, destination, Deadline);
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Contains("delivered 4 times without an acknowledgement", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Contains("poison", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Empty(probe.Calls);
        await host.StopAsync();
    }

    [Fact]
    public async Task Delivery_count_reaches_the_processor_from_x_delivery_count()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        await transport.SendAsync(new Envelope
        {
            MessageId = Envelope.NewMessageId(), MessageType = "count.test", Destination = endpoint.Destinations[0], Body = new byte[] { 1 },
        }, CancellationToken.None);
        await BrokerQueues.ReturnUnackedAsync(broker, endpoint.Name, times: 2, Deadline);

        var seen = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) => { seen.TrySetResult(m); return Task.FromResult(ProcessingResult.Ack); }, stop.Token);
        var incoming = await seen.Task.WaitAsync(Deadline);
        Assert.Equal(3, incoming.DeliveryCount);
        Assert.Equal(0, incoming.DelayedRetries);
        Assert.True(incoming.Redelivered);
        Assert.False(incoming.Envelope.Headers.ContainsKey(Delivery.DeliveryCountHeader));
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
    }

    private IHost BuildHost(string endpoint, string destination, HandlerProbe probe, Dictionary<string, string?> settings)
    {
        settings["Messaging:Endpoint"] = endpoint;
        settings["Messaging:Retry:MaxAttempts"] = "3";
        settings["Messaging:Retry:InitialDelayMs"] = "10";
        return TestHost.Build(broker, settings,
            b => b.Map<ComplianceMessage>(destination, m => m.Key).AddHandler<ComplianceMessage, RecordingHandler>(),
            s => s.AddSingleton(probe));
    }
}
