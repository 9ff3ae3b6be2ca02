using Messaging.Testing;
using Messaging.Diagnostics;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Messaging.Tests;

public class RetryPolicyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Delayed_retries_follow_the_immediate_attempts_then_the_message_is_dead_lettered()
    {
        var probe = new HandlerProbe { AlwaysFail = true };
        using var host = await StartAsync(probe, new()
        {
            ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "30",
            ["Messaging:Retry:DelayedRetryDelaysMs:1"] = "60",
        });
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        await Eventually.WaitUntilAsync(() => transport.DeadLetters("retry").Count == 1, Deadline, "the dead letter");
        var dead = transport.DeadLetters("retry")[0];
        Assert.Equal(6, probe.Calls.Count); // (1 delivery + 2 delayed retries) x 2 immediate attempts
        Assert.Equal("6", dead.Headers[HeaderNames.DeadLetterAttempts]);
        Assert.Contains("failed after 6 attempt", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Equal(2, host.Services.GetRequiredService<MessagingStatistics>().DelayedRetries);
    }

    [Fact]
    public async Task The_wait_before_an_immediate_retry_runs_on_the_hosts_TimeProvider()
    {
        var time = new FakeTimeProvider();
        var probe = new HandlerProbe { FailFirstCalls = 1 };
        // Ten minutes of the real clock would outlast the test: only the host's clock can end the wait in time. The
        // handler timeout (an hour, on the same clock) stays out of reach of the 10-minute steps below.
        using var host = await StartAsync(probe, new()
        {
            ["Messaging:Retry:InitialDelayMs"] = "600000", ["Messaging:Retry:MaxDelayMs"] = "600000", ["Messaging:HandlerTimeoutMs"] = "3600000",
        }, time);
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));
        await Eventually.WaitUntilAsync(() => probe.Calls.Count == 1, Deadline, "the first attempt");

        // The first attempt is recorded before it fails and the wait starts: a single step taken before the wait's timer
        // exists would be lost, so the clock moves 10 minutes at a time until the retry has run.
        await Eventually.WaitUntilAsync(() =>
        {
            if (probe.Calls.Count >= 2) return true;
            time.Advance(TimeSpan.FromMinutes(10));
            return false;
        }, Deadline, "the retry after the host's clock moved 10 minutes");
        Assert.Equal(2, probe.Calls.Count);
        Assert.Equal(1, host.Services.GetRequiredService<MessagingStatistics>().Retries);
    }

    [Fact]
    public async Task A_message_whose_envelope_could_not_be_read_is_dead_lettered_with_the_reason_and_no_handler_runs()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, new());
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new ComplianceMessage("k", 1), typeof(ComplianceMessage));
        var pipeline = host.Services.GetRequiredService<MessagePipeline>();

        var result = await pipeline.ProcessAsync(new IncomingMessage(envelope, "test", Redelivered: false) { Unreadable = "header 'tenant' is not valid UTF-8" }, CancellationToken.None);

        Assert.Equal(ProcessingStatus.DeadLetter, result.Status);
        Assert.Equal("envelope could not be read: header 'tenant' is not valid UTF-8", result.Failure!.Reason);
        Assert.Empty(probe.Calls);
        Assert.Equal(1, host.Services.GetRequiredService<MessagingStatistics>().DeadLettered);
    }

    [Fact]
    public async Task Message_delivered_more_than_MaxDeliveries_times_is_parked_without_running_the_handler()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, new() { ["Messaging:Retry:MaxDeliveries"] = "5" });
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new ComplianceMessage("k", 1), typeof(ComplianceMessage));
        var pipeline = host.Services.GetRequiredService<MessagePipeline>();

        var result = await pipeline.ProcessAsync(new IncomingMessage(envelope, "test", Redelivered: true) { DeliveryCount = 6 }, CancellationToken.None);

        Assert.Equal(ProcessingStatus.DeadLetter, result.Status);
        Assert.Contains("delivered 6 times", result.Failure!.Reason, StringComparison.Ordinal);
        Assert.Empty(probe.Calls);
        var fine = await pipeline.ProcessAsync(new IncomingMessage(envelope, "test", Redelivered: true) { DeliveryCount = 5 }, CancellationToken.None);
        Assert.Equal(ProcessingStatus.Ack, fine.Status);
    }

    [Fact]
    public async Task Delayed_retries_on_a_transport_that_cannot_delay_fail_start_up_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "NoDelay",
            ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "1000",
        });
        builder.Services.AddMessaging(builder.Configuration)
            .AddTransport("NoDelay", _ => new NoDelayTransport())
            .Map<ComplianceMessage>("t").AddHandler<ComplianceMessage, RecordingHandler>();
        builder.Services.AddSingleton(new HandlerProbe());
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Retry:DelayedRetryDelaysMs", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The in-memory transport without the delayed-retry capability.</summary>
    private sealed class NoDelayTransport : IMessageTransport
    {
        private readonly InMemoryTransport _inner = new();
        public string Name => "Kafka";
        public TransportCapabilities Capabilities => TransportCapabilities.None;
        public TransportHealth Health => _inner.Health;
        public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken ct) => _inner.PrepareAsync(endpoints, ct);
        public Task SendAsync(Envelope envelope, CancellationToken ct) => _inner.SendAsync(envelope, ct);
        public Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken ct) => _inner.SendBatchAsync(envelopes, ct);
        public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken ct) => _inner.ReceiveAsync(endpoint, processor, ct);
        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    private static async Task<IHost> StartAsync(HandlerProbe probe, Dictionary<string, string?> settings, TimeProvider? time = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Endpoint"] = "retry",
            ["Messaging:Retry:MaxAttempts"] = "2",
            ["Messaging:Retry:InitialDelayMs"] = "5",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(probe);
        builder.Services.AddMessaging(builder.Configuration).Map<ComplianceMessage>("retry-topic")
            .AddHandler<ComplianceMessage, RecordingHandler>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
