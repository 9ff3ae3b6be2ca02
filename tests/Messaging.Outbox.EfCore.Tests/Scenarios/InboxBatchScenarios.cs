using System.Data.Common;
using Messaging.Handling;
using Messaging.Outbox.Inbox;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>
/// The batched inbox (<c>Messaging:Outbox:InboxBatchSize</c>): runs that arrive together share one transaction, each in its
/// own savepoint and DbContext; none returns (so none is acknowledged) before the commit; a failing run is rolled back
/// alone; a duplicate inside the batch is skipped; a failed commit fails every run and leaves nothing behind. Every
/// scenario queues its runs while the one batch is busy, so they share the next one on any machine.
/// </summary>
public abstract class InboxBatchScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    private readonly FailingCommit _failingCommit = new();

    [Fact]
    public async Task Runs_of_a_batch_return_after_one_commit_and_a_failing_run_is_rolled_back_alone()
    {
        var (host, filter) = await BatchingAsync(size: 3);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = new List<string>();

        var busy = await HoldTheBatchAsync(host, filter);
        var first = Run(host, filter, "B-1", (_, _) => Task.CompletedTask, ran);
        var second = Run(host, filter, "B-2", async (db, ct) =>
        {
            await db.SaveChangesAsync(ct); // written inside its savepoint, then undone
            throw new InvalidOperationException("B-2 refused");
        }, ran);
        var third = Run(host, filter, "B-3", async (_, ct) =>
        {
            running.SetResult();
            await release.Task.WaitAsync(ct);
        }, ran);
        await busy.ReleaseAsync(); // the three queued runs now fill the next batch together

        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // B-1 and B-2 are done, B-3 runs: nothing is committed, and B-1 has not returned (its message is not acked).
        Assert.Equal(["B-1", "B-2", "B-3"], ran);
        Assert.False(first.IsCompleted);
        Assert.Equal("B-2 refused", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message); // left at once
        Assert.Empty(await ShipmentsAsync());
        release.SetResult();

        Assert.Equal(HandlerOutcome.Handled, await first);
        Assert.Equal(HandlerOutcome.Handled, await third);
        Assert.Equal(["B-1", "B-3"], await ShipmentsAsync());
        await using var check = Database.CreateContext();
        Assert.Equal(2, await check.Set<InboxRecord>().CountAsync());
    }

    [Fact]
    public async Task A_duplicate_inside_a_batch_is_handled_once()
    {
        var (host, filter) = await BatchingAsync(size: 2);
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("D-1"), typeof(OrderPlaced));
        var ran = new List<string>();

        var busy = await HoldTheBatchAsync(host, filter);
        var runs = new[] { Run(host, filter, "D-1", (_, _) => Task.CompletedTask, ran, envelope), Run(host, filter, "D-1", (_, _) => Task.CompletedTask, ran, envelope) };
        await busy.ReleaseAsync();
        var outcomes = await Task.WhenAll(runs);

        Assert.Equal([HandlerOutcome.Handled, HandlerOutcome.SkippedDuplicate], outcomes);
        Assert.Equal(["D-1"], ran);
        Assert.Equal(["D-1"], await ShipmentsAsync());
    }

    [Fact]
    public async Task A_failed_commit_fails_every_run_and_leaves_nothing_behind()
    {
        var (host, filter) = await BatchingAsync(size: 2);
        var factory = host.Services.GetRequiredService<IEnvelopeFactory>();
        var a = factory.Create(new OrderPlaced("C-1"), typeof(OrderPlaced));
        var b = factory.Create(new OrderPlaced("C-2"), typeof(OrderPlaced));
        var ran = new List<string>();
        _failingCommit.FailNext = true; // the blocker's batch commits nothing: the next commit is C-1's and C-2's

        var busy = await HoldTheBatchAsync(host, filter);
        var first = Run(host, filter, "C-1", (_, _) => Task.CompletedTask, ran, a);
        var second = Run(host, filter, "C-2", (_, _) => Task.CompletedTask, ran, b);
        await busy.ReleaseAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        Assert.Empty(await ShipmentsAsync());

        // Retried (as the pipeline does), both run again: their inbox rows were not kept either.
        busy = await HoldTheBatchAsync(host, filter);
        var retried = new[] { Run(host, filter, "C-1", (_, _) => Task.CompletedTask, ran, a), Run(host, filter, "C-2", (_, _) => Task.CompletedTask, ran, b) };
        await busy.ReleaseAsync();
        var again = await Task.WhenAll(retried);
        Assert.Equal([HandlerOutcome.Handled, HandlerOutcome.Handled], again);
        Assert.Equal(["C-1", "C-2"], await ShipmentsAsync());
    }

    [Fact]
    public async Task Contexts_from_a_DbContext_pool_join_batches_and_go_back_with_their_own_connection()
    {
        var (host, filter) = await BatchingAsync(size: 3, pooled: true);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = new List<string>();
        var busy = await HoldTheBatchAsync(host, filter);
        var failing = Run(host, filter, "P-0", (_, _) => throw new InvalidOperationException("P-0 refused"), ran); // leaves its batch
        var holding = Run(host, filter, "P-1", async (db, ct) =>
        {
            await db.SaveChangesAsync(ct); // written in the batch's transaction, not committed yet
            running.SetResult();
            await release.Task.WaitAsync(ct);
        }, ran);
        await busy.ReleaseAsync(); // P-0 and P-1 share the next batch
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // P-0's instance is back in the pool while the batch is still open: the next user must get it as new, not on the
        // batch's connection inside its transaction (where P-1's uncommitted row would be visible).
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            Assert.Null(db.Database.CurrentTransaction);
            Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
            Assert.True(db.Database.AutoSavepointsEnabled);
            Assert.Equal(0, await db.Shipments.CountAsync());
        }
        release.SetResult();
        Assert.Equal(HandlerOutcome.Handled, await holding);
        for (var i = 2; i < 6; i++) Assert.Equal(HandlerOutcome.Handled, await Run(host, filter, $"P-{i}", (_, _) => Task.CompletedTask, ran));
        Assert.Equal(["P-1", "P-2", "P-3", "P-4", "P-5"], await ShipmentsAsync());
    }

    /// <summary>A host whose inbox makes batches of up to <paramref name="size"/>, one batch at a time (with several,
    /// PostgreSQL's default, runs could each wake a different idle batch and never share one), without waiting for a
    /// batch to fill; and the inbox filter as the pipeline uses it. Runs share a batch when they are queued while the
    /// one batch is busy (<see cref="HoldTheBatchAsync"/>), not because they came within some time window.</summary>
    private async Task<(IHost Host, InboxFilter<ShopContext> Filter)> BatchingAsync(int size, bool pooled = false)
    {
        var host = await HostAsync(start: false, configure: m => m.Services.ConfigureDbContext<ShopContext>((_, o) => o.AddInterceptors(_failingCommit)),
            settings: new Dictionary<string, string?>
            {
                ["Messaging:Outbox:InboxBatchSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Messaging:Outbox:InboxBatchWaitMs"] = "0",
                ["Messaging:Outbox:InboxConcurrentBatches"] = "1",
                ["Test:PooledDbContext"] = pooled ? "true" : null,
            });
        return (host, ActivatorUtilities.CreateInstance<InboxFilter<ShopContext>>(host.Services));
    }

    /// <summary>Keeps the inbox's one batch busy with a run of its own until <see cref="BusyBatch.ReleaseAsync"/>: the
    /// runs queued meanwhile wait, and the next batch takes them together, however slowly they were queued. The
    /// blocker then fails, so its batch is rolled back and commits nothing: it leaves no row and no commit behind.</summary>
    private static async Task<BusyBatch> HoldTheBatchAsync(IHost host, InboxFilter<ShopContext> filter)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("blocker"), typeof(OrderPlaced));
        var scope = host.Services.CreateAsyncScope();
        var blocker = DisposeAfter(filter.InvokeAsync(new MessageContext(envelope, "test", "Tests.Blocker", 1, scope.ServiceProvider), async ct =>
        {
            running.SetResult();
            await release.Task.WaitAsync(ct);
            throw new InvalidOperationException("the blocker leaves its batch");
        }, CancellationToken.None), scope);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new BusyBatch(release, blocker);
    }

    private sealed class BusyBatch(TaskCompletionSource release, Task<HandlerOutcome> blocker)
    {
        public async Task ReleaseAsync()
        {
            release.SetResult();
            Assert.Equal("the blocker leaves its batch", (await Assert.ThrowsAsync<InvalidOperationException>(() => blocker)).Message);
        }
    }

    /// <summary>Starts a handler run through the inbox in its own scope, as the pipeline does; the run is queued for a
    /// batch before this returns, so runs started one after another take their turns in that order.</summary>
    private static Task<HandlerOutcome> Run(IHost host, InboxFilter<ShopContext> filter, string number, Func<ShopContext, CancellationToken, Task> work,
        List<string> ran, Envelope? envelope = null)
    {
        envelope ??= host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced(number), typeof(OrderPlaced));
        var scope = host.Services.CreateAsyncScope();
        var context = new MessageContext(envelope, "test", "Tests.ShipOrderHandler", 1, scope.ServiceProvider);
        var run = filter.InvokeAsync(context, async ct =>
        {
            lock (ran) ran.Add(number);
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Shipments.Add(new Shipment { OrderNumber = number });
            await work(db, ct);
            return HandlerOutcome.Handled;
        }, CancellationToken.None);
        return DisposeAfter(run, scope);
    }

    private static async Task<HandlerOutcome> DisposeAfter(Task<HandlerOutcome> run, AsyncServiceScope scope)
    {
        await using (scope) return await run;
    }

    private async Task<List<string>> ShipmentsAsync()
    {
        await using var check = Database.CreateContext();
        return await check.Shipments.OrderBy(s => s.OrderNumber).Select(s => s.OrderNumber).ToListAsync();
    }

    /// <summary>Makes the next commit fail, as a database that loses the connection at COMMIT would.</summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public volatile bool FailNext;

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("simulated failure at COMMIT");
            }
            return ValueTask.FromResult(result);
        }
    }
}

public sealed class SqliteInboxBatchTests(SqliteDatabase database, ITestOutputHelper output)
    : InboxBatchScenarios<SqliteDatabase>(database, output);

public sealed class PostgresInboxBatchTests(PostgresDatabase database, ITestOutputHelper output)
    : InboxBatchScenarios<PostgresDatabase>(database, output);
