using System.Text;
using Messaging.Testing;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests;

public class PipelineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Malformed_body_is_dead_lettered_at_once_without_calling_the_handler()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe);
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await transport.SendAsync(Raw("{ not json"), CancellationToken.None);

        var dead = await WaitForDeadLetterAsync(transport);
        Assert.Equal("body could not be deserialized", dead.Headers[HeaderNames.DeadLetterReason]);
        Assert.Equal("0", dead.Headers[HeaderNames.DeadLetterAttempts]);
        Assert.Empty(probe.Calls);
    }

    [Fact]
    public async Task Handler_that_hangs_past_its_timeout_is_dead_lettered_with_a_timeout_reason()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, new() { ["Messaging:HandlerTimeoutMs"] = "100" }, b => b.AddHandler<ComplianceMessage, HangingHandler>());
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        var dead = await WaitForDeadLetterAsync(transport);
        Assert.Equal(typeof(TimeoutException).FullName, dead.Headers[HeaderNames.DeadLetterExceptionType]);
        Assert.Contains("Messaging:HandlerTimeoutMs", dead.Headers[HeaderNames.DeadLetterExceptionMessage], StringComparison.Ordinal);
        Assert.Equal("2", dead.Headers[HeaderNames.DeadLetterAttempts]);
    }

    [Fact]
    public async Task Handler_that_fails_once_is_retried_and_acknowledged()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, configure: b => b.AddHandler<ComplianceMessage, FailOnceHandler>());
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        await Eventually.WaitUntilAsync(() => probe.Calls.Count == 2, Deadline, "the retry");
        await host.StopAsync();
        Assert.Equal([1, 2], probe.Calls.Select(c => c.Context.Attempt));
        Assert.Empty(transport.DeadLetters("pipeline"));
        Assert.Equal(1, host.Services.GetRequiredService<Diagnostics.MessagingStatistics>().Retries);
    }

    [Fact]
    public async Task Publishing_an_unmapped_type_says_how_to_map_it()
    {
        using var host = await StartAsync(new HandlerProbe());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new Unmapped()));
        Assert.Contains("Map<Unmapped>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_publish_is_refused_and_an_oversized_delivery_is_dead_lettered()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, new() { ["Messaging:MaxBodyBytes"] = "64" });
        var big = new ComplianceMessage(new string('x', 100), 1);
        var ex = await Assert.ThrowsAsync<PublishException>(() => host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(big));
        Assert.Equal(PublishFailure.Invalid, ex.Failure);
        Assert.Contains("Messaging:MaxBodyBytes", ex.Message, StringComparison.Ordinal);

        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await transport.SendAsync(Raw(new string(' ', 65) + "{}"), CancellationToken.None); // another producer ignored the limit
        var dead = await WaitForDeadLetterAsync(transport);
        Assert.Contains("exceeds Messaging:MaxBodyBytes = 64", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Empty(probe.Calls);
    }

    [Fact]
    public async Task With_the_skip_policy_messages_without_a_handler_are_acknowledged_counted_and_logged_once_per_type()
    {
        var probe = new HandlerProbe();
        var logs = new Messaging.Testing.Outages.LogCounter();
        long skipped = 0;
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == Diagnostics.TelemetryNames.Skipped) listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: Diagnostics.TelemetryNames.ConsumerGroup, Value: "pipeline" }) Interlocked.Add(ref skipped, value);
        });
        meters.Start();
        using var host = await StartAsync(probe, new() { ["Messaging:UnhandledMessages"] = "Skip" }, logs: logs);
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        for (var i = 0; i < 3; i++)
            await transport.SendAsync(Raw("{}") with { MessageType = "another-app.invoice-paid" }, CancellationToken.None);
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        // One queue, handled in order: once the known message is handled, the three before it were processed.
        await Eventually.WaitUntilAsync(() => probe.Calls.Count == 1, Deadline, "the known message after the unknown ones");
        Assert.Equal(3, Interlocked.Read(ref skipped));
        Assert.Empty(transport.DeadLetters("pipeline"));
        Assert.Equal(1, logs.Count(1011));
    }

    [Fact]
    public async Task By_default_a_message_of_an_unknown_type_is_dead_lettered_with_the_reason()
    {
        using var host = await StartAsync(new HandlerProbe());
        var transport = (InMemoryTransport)host.Services.GetRequiredService<IMessageTransport>();
        await transport.SendAsync(Raw("{}") with { MessageType = "another-app.invoice-paid" }, CancellationToken.None);
        var dead = await WaitForDeadLetterAsync(transport);
        Assert.Equal("unknown message type 'another-app.invoice-paid'", dead.Headers[HeaderNames.DeadLetterReason]);
    }

    private sealed record Unmapped;

    private sealed class HangingHandler : IMessageHandler<ComplianceMessage>
    {
        public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private sealed class FailOnceHandler(HandlerProbe probe) : IMessageHandler<ComplianceMessage>
    {
        public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
        {
            probe.Calls.Enqueue((message, context));
            return context.Attempt == 1 ? throw new InvalidOperationException("transient") : Task.CompletedTask;
        }
    }

    private static Envelope Raw(string body) => new()
    {
        MessageId = Envelope.NewMessageId(),
        MessageType = "compliance",
        Destination = "pipeline-topic",
        Body = Encoding.UTF8.GetBytes(body),
    };

    private static async Task<Envelope> WaitForDeadLetterAsync(InMemoryTransport transport)
    {
        await Eventually.WaitUntilAsync(() => transport.DeadLetters("pipeline").Count > 0, Deadline, "a dead letter");
        return transport.DeadLetters("pipeline")[0];
    }

    private static async Task<IHost> StartAsync(HandlerProbe probe, Dictionary<string, string?>? settings = null, Action<MessagingBuilder>? configure = null,
        Messaging.Testing.Outages.LogCounter? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (logs is not null) builder.Logging.AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Endpoint"] = "pipeline",
            ["Messaging:Retry:MaxAttempts"] = "2",
            ["Messaging:Retry:InitialDelayMs"] = "10",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(probe);
        var messaging = builder.Services.AddMessaging(builder.Configuration).Map<ComplianceMessage>("pipeline-topic", name: "compliance");
        if (configure is null) messaging.AddHandler<ComplianceMessage, RecordingHandler>();
        else configure(messaging);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
