using Messaging.InMemory;
using Messaging.Outbox.Dispatch;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Outbox.Writing;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Flush on commit (<c>Messaging:Outbox:FlushOnCommit</c>): the writing process publishes its own rows before
/// <c>SaveChangesAsync</c> returns, within a bound, keeping per-key order; what it does not send stays the dispatcher's.
/// Except where a test says so, the host runs no dispatcher, so every row sent was sent by the flush.</summary>
public abstract class FlushScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    private readonly GatedTransport _gated = new();

    [Fact]
    public async Task A_committed_row_is_published_and_marked_sent_before_SaveChangesAsync_returns()
    {
        var host = await GatedHostAsync();
        _gated.Open();

        await PlaceAsync(host, "F-1");

        var row = await RowAsync("F-1");
        Assert.Equal(OutboxStatus.Sent, row.Status);
        Assert.EndsWith("/flush", row.LeaseOwner, StringComparison.Ordinal);
        Assert.Equal(["F-1"], _gated.Sent);
    }

    [Fact]
    public async Task A_row_whose_key_waits_behind_an_earlier_row_held_elsewhere_is_left_to_the_dispatcher()
    {
        var host = await GatedHostAsync();
        _gated.Open();
        await using (var db = Database.CreateContext())
        {
            // An earlier row of key "K", leased by another dispatcher that has not sent it yet.
            var earlier = OutboxRows.ToRow(Envelope("E-0", "K"), "Gated");
            (earlier.LeaseOwner, earlier.LeaseUntil) = ("elsewhere", DateTime.UtcNow.AddMinutes(5));
            db.Add(earlier);
            await db.SaveChangesAsync();
        }

        await PlaceAsync(host, "F-2", key: "K");
        await PlaceAsync(host, "F-3", key: "other");

        Assert.Equal((OutboxStatus.Pending, (string?)null), ((await RowAsync("F-2")).Status, (await RowAsync("F-2")).LeaseOwner));
        Assert.Equal(OutboxStatus.Sent, (await RowAsync("F-3")).Status); // another key is not held back
        Assert.Equal(["F-3"], _gated.Sent);
    }

    [Fact]
    public async Task SaveChangesAsync_waits_at_most_FlushTimeoutMs_and_the_publish_completes_after_it()
    {
        var host = await GatedHostAsync(timeoutMs: 200);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await PlaceAsync(host, "F-4"); // the broker does not answer until the gate opens
        var waited = clock.Elapsed;

        Assert.True(waited < TimeSpan.FromSeconds(10), $"SaveChangesAsync returned after {waited.TotalMilliseconds:0} ms");
        Assert.Equal(OutboxStatus.Pending, (await RowAsync("F-4")).Status);
        _gated.Open();
        await Wait.UntilAsync(async () => (await RowAsync("F-4")).Status == OutboxStatus.Sent, "the flushed row recorded Sent once the broker answered");
        Assert.EndsWith("/flush", (await RowAsync("F-4")).LeaseOwner, StringComparison.Ordinal);
    }

    /// <summary>PostgreSQL only: EF Core's SQLite provider refuses ambient transactions.</summary>
    protected async Task SaveInsideTransactionScopeIsNotFlushedAsync()
    {
        var host = await GatedHostAsync();
        _gated.Open();

        using (new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await PlaceAsync(host, "F-6");
            Assert.Empty(_gated.Sent); // the scope has not committed: nothing may leave yet
        } // disposed without Complete: rolled back

        await using var db = Database.CreateContext();
        Assert.False(await db.Set<OutboxMessage>().AnyAsync(m => m.MessageId == "F-6"));
        Assert.Empty(_gated.Sent);
    }

    /// <summary>PostgreSQL only, as above. The host runs no dispatcher, so the signal it would wait on stays readable.</summary>
    protected async Task CommittedTransactionScopeWakesTheDispatcherAsync()
    {
        var host = await GatedHostAsync();
        _gated.Open();
        var signal = host.Services.GetRequiredService<OutboxSignal>();
        await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None); // forget any wake-up from start-up

        using (var scope = new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            await PlaceAsync(host, "F-7");
            Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None), "woken before the scope committed");
            scope.Complete();
        }

        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None), "the scope's commit woke the dispatcher");
        Assert.Equal(OutboxStatus.Pending, (await RowAsync("F-7")).Status); // committed, and the dispatcher's to send
        Assert.Empty(_gated.Sent);
    }

    [Fact]
    public async Task With_FlushOnCommit_off_the_dispatcher_sends_the_row()
    {
        var host = await GatedHostAsync(flush: false, dispatcher: true);
        _gated.Open();

        await PlaceAsync(host, "F-5");

        await Wait.UntilAsync(async () => (await RowAsync("F-5")).Status == OutboxStatus.Sent, "the dispatcher sent the row");
        Assert.False((await RowAsync("F-5")).LeaseOwner!.EndsWith("/flush", StringComparison.Ordinal));
    }

    private async Task<IHost> GatedHostAsync(bool flush = true, int timeoutMs = 5_000, bool dispatcher = false)
    {
        var host = await HostAsync(start: false, configure: m =>
        {
            m.AddTransport("Gated", _ => _gated);
            if (!dispatcher)
                foreach (var service in m.Services.Where(d => d.ImplementationType == typeof(OutboxDispatcher<ShopContext>)).ToList()) m.Services.Remove(service);
        }, settings: new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Gated",
            ["Messaging:Outbox:FlushOnCommit"] = flush ? "true" : "false",
            ["Messaging:Outbox:FlushTimeoutMs"] = timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await StartAsync(host);
        return host;
    }

    private static async Task PlaceAsync(IHost host, string number, string? key = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
        db.Orders.Add(new Order { Number = number });
        scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced(number), new Publishing.PublishOptions { MessageId = number, PartitionKey = key });
        await db.SaveChangesAsync();
    }

    private async Task<OutboxMessage> RowAsync(string messageId)
    {
        await using var db = Database.CreateContext();
        return await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.MessageId == messageId);
    }

    private static Envelope Envelope(string messageId, string key) =>
        new() { MessageId = messageId, MessageType = typeof(OrderPlaced).FullName!, Destination = "anywhere", PartitionKey = key, Body = "{}"u8.ToArray() };

    /// <summary>A broker that takes every message but confirms nothing until <see cref="Open"/>.</summary>
    private sealed class GatedTransport : IMessageTransport
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly InMemoryTransport _inner = new();

        public List<string> Sent { get; } = [];
        public string Name => "Gated";
        public TransportCapabilities Capabilities => TransportCapabilities.Durable;
        public TransportHealth Health => _inner.Health;

        public void Open() => _open.TrySetResult();

        public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            lock (Sent) Sent.Add(envelope.MessageId);
        }

        public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
        {
            foreach (var envelope in envelopes) await SendAsync(envelope, cancellationToken);
        }

        public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken) =>
            Task.Delay(Timeout.Infinite, stoppingToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class SqliteFlushTests(SqliteDatabase database, ITestOutputHelper output)
    : FlushScenarios<SqliteDatabase>(database, output);

public sealed class PostgresFlushTests(PostgresDatabase database, ITestOutputHelper output)
    : FlushScenarios<PostgresDatabase>(database, output)
{
    [Fact]
    public Task A_save_inside_a_TransactionScope_is_not_flushed_before_the_scope_commits() =>
        SaveInsideTransactionScopeIsNotFlushedAsync();

    [Fact]
    public Task A_committed_TransactionScope_wakes_the_dispatcher() => CommittedTransactionScopeWakesTheDispatcherAsync();
}
