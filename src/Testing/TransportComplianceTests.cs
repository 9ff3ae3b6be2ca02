using System.Collections.Concurrent;
using System.Text;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Messaging.Testing;

/// <summary>
/// The contract every transport must keep, as xUnit facts. A transport's test project derives one class per fixture:
/// <c>public class RabbitMqCompliance(RabbitMqFixture f) : TransportComplianceTests&lt;RabbitMqFixture&gt;(f)</c>. Each test
/// uses fresh destinations and endpoints (<see cref="Names.Unique"/>), so tests never share broker state, and waits on
/// conditions with a deadline of <see cref="Deadline"/>, never a fixed sleep.
/// </summary>
/// <typeparam name="TFixture">The transport's fixture: its name, settings, registration and dead-letter reader.</typeparam>
public abstract class TransportComplianceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, ITransportFixture
{
    /// <summary>Longest wait for any one thing a test expects (30 s).</summary>
    protected static readonly TimeSpan Deadline = TransportComplianceTests.Deadline;

    /// <summary>The fixture xUnit created once for the deriving class.</summary>
    protected TFixture Fixture { get; } = fixture;

    /// <summary>A confirmed <c>SendAsync</c> reaches the endpoint with every envelope field intact: message id, type, destination, partition key, correlation and causation ids, content type, application headers (non-ASCII included), body and timestamp (to the millisecond).</summary>
    [Fact]
    public async Task Published_message_is_confirmed_and_received_with_id_and_headers_intact()
    {
        await using var t = await StartTransportAsync();
        var received = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = t.Receive((m, _) => { received.TrySetResult(m); return Task.FromResult(ProcessingResult.Ack); });

        var sent = NewEnvelope(t.Destination, "key-1", Encoding.UTF8.GetBytes("{\"key\":\"key-1\",\"sequence\":1}")) with
        {
            CorrelationId = "corr-1",
            CausationId = "cause-1",
            Headers = new Dictionary<string, string> { ["tenant"] = "acme", ["ünïcode"] = "välue" },
        };
        await t.Transport.SendAsync(sent, CancellationToken.None);
        var got = (await received.Task.WithTimeout(Deadline, "the message")).Envelope;

        Assert.Equal(sent.MessageId, got.MessageId);
        Assert.Equal(sent.MessageType, got.MessageType);
        Assert.Equal(sent.Destination, got.Destination);
        Assert.Equal("key-1", got.PartitionKey);
        Assert.Equal("corr-1", got.CorrelationId);
        Assert.Equal("cause-1", got.CausationId);
        Assert.Equal(sent.ContentType, got.ContentType);
        Assert.Equal("acme", got.Headers["tenant"]);
        Assert.Equal("välue", got.Headers["ünïcode"]);
        Assert.Equal(sent.Body.ToArray(), got.Body.ToArray());
        Assert.InRange((got.Timestamp - sent.Timestamp).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        await t.StopAsync(receiving);
    }

    /// <summary>A confirmed <c>SendBatchAsync</c> of 200 messages over 4 partition keys: every message arrives, and each key's messages arrive in the order sent.</summary>
    [Fact]
    public async Task Batch_is_confirmed_and_every_message_received_in_order_per_key()
    {
        await using var t = await StartTransportAsync();
        var received = new ConcurrentQueue<Envelope>();
        var receiving = t.Receive((m, _) => { received.Enqueue(m.Envelope); return Task.FromResult(ProcessingResult.Ack); });

        var batch = Enumerable.Range(0, 200).Select(i => NewEnvelope(t.Destination, $"key-{i % 4}", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        await t.Transport.SendBatchAsync(batch, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => received.Count >= batch.Count, Deadline, "200 messages");

        Assert.Equal(batch.Select(e => e.MessageId).Order(), received.Select(e => e.MessageId).Order());
        foreach (var key in batch.Select(e => e.PartitionKey).Distinct())
            Assert.Equal(batch.Where(e => e.PartitionKey == key).Select(e => e.MessageId),
                         received.Where(e => e.PartitionKey == key).Select(e => e.MessageId));
        await t.StopAsync(receiving);
    }

    /// <summary>A message whose handler is still running when the consumer stops is not acknowledged, and the next consumer of the endpoint receives it again with the same message id.</summary>
    [Fact]
    public async Task Unacknowledged_message_is_redelivered_after_the_consumer_restarts()
    {
        await using var t = await StartTransportAsync();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var firstStop = new CancellationTokenSource();
        var first = t.Transport.ReceiveAsync(t.Endpoint, async (m, ct) =>
        {
            firstSeen.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // a handler still running when the consumer stops
            return ProcessingResult.Ack;
        }, firstStop.Token);
        var sent = NewEnvelope(t.Destination, "k", [1, 2, 3]);
        await t.Transport.SendAsync(sent, CancellationToken.None);
        await firstSeen.Task.WaitAsync(Deadline);
        await firstStop.CancelAsync();
        await first.WaitAsync(Deadline);

        var again = new TaskCompletionSource<Envelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = t.Receive((m, _) => { again.TrySetResult(m.Envelope); return Task.FromResult(ProcessingResult.Ack); });
        var redelivered = await again.Task.WithTimeout(Deadline, "the redelivery");
        Assert.Equal(sent.MessageId, redelivered.MessageId);
        await t.StopAsync(second);
    }

    /// <summary>Through the host (<c>AddMessaging</c>): a handler that always throws runs 3 times (attempts 1, 2, 3), then the message is in the endpoint's dead-letter destination with the dead-letter headers: attempts, exception type and message, original destination, reason, source and time.</summary>
    [Fact]
    public async Task Failing_handler_is_retried_then_dead_lettered_with_the_reason()
    {
        var destination = Names.Unique("dlq-test");
        var endpoint = Names.Unique("ep");
        var probe = new HandlerProbe { AlwaysFail = true };
        using var host = BuildHost(endpoint, b => b.Map<ComplianceMessage>(destination, m => m.Key)
            .AddHandler<ComplianceMessage, RecordingHandler>(), s => s.AddSingleton(probe));
        await host.StartAsync();
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 7));

        var transport = host.Services.GetRequiredService<IMessageTransport>();
        var dead = await Fixture.ReadDeadLetterAsync(transport, endpoint, destination, Deadline);
        Assert.Equal(3, probe.Calls.Count);
        Assert.Equal([1, 2, 3], probe.Calls.Select(c => c.Context.Attempt));
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("3", dead.Headers[HeaderNames.DeadLetterAttempts]);
        Assert.Equal(typeof(InvalidOperationException).FullName, dead.Headers[HeaderNames.DeadLetterExceptionType]);
        Assert.Equal("handler refuses sequence 7", dead.Headers[HeaderNames.DeadLetterExceptionMessage]);
        Assert.Equal(destination, dead.Headers[HeaderNames.DeadLetterOriginalDestination]);
        Assert.Contains("failed after 3 attempt", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(dead.Headers[HeaderNames.DeadLetterSource]));
        Assert.True(DateTimeOffset.TryParse(dead.Headers[HeaderNames.DeadLetterTime], out _));
        await host.StopAsync();
    }

    /// <summary>A message whose type no handler maps is dead-lettered with the reason <c>unknown message type '...'</c> and 0 attempts, and no handler runs.</summary>
    [Fact]
    public async Task Message_of_unknown_type_is_dead_lettered_at_once()
    {
        var destination = Names.Unique("unknown");
        var endpoint = Names.Unique("ep");
        var probe = new HandlerProbe();
        using var host = BuildHost(endpoint, b => b.Map<ComplianceMessage>(destination)
            .AddHandler<ComplianceMessage, RecordingHandler>(), s => s.AddSingleton(probe));
        await host.StartAsync();
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        var stranger = NewEnvelope(destination, null, Encoding.UTF8.GetBytes("{}")) with { MessageType = "no.such.Type" };
        await transport.SendAsync(stranger, CancellationToken.None);

        var dead = await Fixture.ReadDeadLetterAsync(transport, endpoint, destination, Deadline);
        Assert.Equal(stranger.MessageId, dead.MessageId);
        Assert.Contains("unknown message type 'no.such.Type'", dead.Headers[HeaderNames.DeadLetterReason], StringComparison.Ordinal);
        Assert.Equal("0", dead.Headers[HeaderNames.DeadLetterAttempts]);
        Assert.Empty(probe.Calls);
        await host.StopAsync();
    }

    /// <summary>The same envelope published twice (a producer's retry) with the EF Core inbox on a temporary SQLite file: the handler's business row is written once, one inbox row exists, and the statistics count 1 handled and 1 duplicate skipped.</summary>
    [Fact]
    public async Task Duplicate_message_id_is_handled_once_with_the_inbox()
    {
        var destination = Names.Unique("inbox");
        using var database = new TemporarySqliteFile("inbox");
        using var host = BuildHost(Names.Unique("ep"), b => b.Map<ComplianceMessage>(destination)
            .AddHandler<ComplianceMessage, InboxRecordingHandler>()
            .AddEntityFrameworkOutbox<InboxDbContext>(),
            s => s.AddDbContext<InboxDbContext>(o => o.UseSqlite(database.ConnectionString)));
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();
        await host.StartAsync();
        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new ComplianceMessage("k", 1), typeof(ComplianceMessage));
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishEnvelopeAsync(envelope); // the same message id twice, as a producer retry would
        await publisher.PublishEnvelopeAsync(envelope);

        await Eventually.WaitUntilAsync(() => statistics.Handled + statistics.DuplicatesSkipped >= 2, Deadline, "both deliveries");
        await host.StopAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<InboxDbContext>();
            Assert.Equal([envelope.MessageId], await db.Handled.Select(h => h.MessageId).ToListAsync());
            Assert.Equal(1, await db.Set<InboxRecord>().CountAsync(r => r.MessageId == envelope.MessageId));
        }
        Assert.Equal(1, statistics.DuplicatesSkipped);
        Assert.Equal(1, statistics.Handled);
    }

    /// <summary>A host as an application builds it: the fixture's settings and transport, <c>Messaging:Endpoint</c> =
    /// <paramref name="endpoint"/>, 3 attempts 10 ms apart; not started.</summary>
    /// <param name="endpoint">The consuming endpoint's name.</param>
    /// <param name="configure">Maps messages and adds handlers.</param>
    /// <param name="services">Registers what the handlers need.</param>
    protected IHost BuildHost(string endpoint, Action<MessagingBuilder> configure, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Fixture.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = Fixture.TransportName,
            ["Messaging:Endpoint"] = endpoint,
            ["Messaging:Retry:MaxAttempts"] = "3",
            ["Messaging:Retry:InitialDelayMs"] = "10",
        });
        var messaging = builder.Services.AddMessaging(builder.Configuration);
        Fixture.Register(messaging);
        configure(messaging);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>An envelope of type <c>compliance.test</c> with a new message id and a timestamp of whole milliseconds
    /// (what every transport's header keeps).</summary>
    /// <param name="destination">Where it is published.</param>
    /// <param name="key">Partition key, or null for none.</param>
    /// <param name="body">Body bytes, sent as they are.</param>
    protected static Envelope NewEnvelope(string destination, string? key, byte[] body) => new()
    {
        MessageId = Envelope.NewMessageId(),
        MessageType = "compliance.test",
        Destination = destination,
        PartitionKey = key,
        Body = body,
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()), // whole ms: what a broker keeps
    };

    /// <summary>A transport built through DI exactly as an application gets it, prepared for one fresh endpoint; throws
    /// what the transport's <c>PrepareAsync</c> throws (broker unreachable, declaration refused).</summary>
    protected async Task<TransportUnderTest> StartTransportAsync()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(Fixture.Settings)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = Fixture.TransportName }).Build();
        var services = new ServiceCollection().AddLogging();
        Fixture.Register(services.AddMessaging(config));
        var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<IMessageTransport>();
        var destination = Names.Unique("dest");
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [destination]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        return new TransportUnderTest(provider, transport, endpoint, destination);
    }
}

/// <summary>What the compliance tests share across fixtures.</summary>
public static class TransportComplianceTests
{
    /// <summary>Longest wait for any one thing a test expects: 30 s.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
}
