using System.Threading.Channels;
using Messaging.Outbox.Dialects;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Inbox;

/// <summary>
/// Group commit for the inbox: handler runs that arrive while the database is busy share one transaction. Each batch
/// opens a connection and a transaction, grants the waiting runs their turn one after another (each run its own
/// savepoint, inbox row, handler and its own DbContext on that connection), and commits once; only then does each run
/// return, so its message is acknowledged after its work is durable. A run that fails is rolled back to its savepoint
/// and leaves the batch at once (the pipeline retries it in a later batch); the others commit.
/// </summary>
/// <remarks>
/// Up to <see cref="OutboxOptions.InboxConcurrentBatches"/> batches run at once (one on a single-writer database such
/// as SQLite). An idle batch takes the first run at once, so under light load every message still gets its own
/// transaction without waiting; under load the runs queued behind busy batches fill the next ones, up to
/// <see cref="OutboxOptions.InboxBatchSize"/>, waiting at most <see cref="OutboxOptions.InboxBatchWaitMs"/> for more.
/// Per-key order is the transports': a lane offers its next message only after the previous one returned.
/// </remarks>
internal sealed class InboxBatcher<TContext>(IServiceScopeFactory scopes, IOptions<OutboxOptions> options, TimeProvider time, ILogger<InboxBatcher<TContext>> logger)
    : IAsyncDisposable where TContext : DbContext
{
    private readonly Channel<InboxTurn> _waiting = Channel.CreateUnbounded<InboxTurn>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task[]? _batches;

    /// <summary>Whether <paramref name="db"/> (the handler's context, not used yet) can join a batch: batching is on and its
    /// connection is not open yet. A context from a DbContext pool joins too: the inbox gives it its own connection back
    /// before it returns to the pool.</summary>
    public bool Accepts(TContext db) =>
        options.Value.InboxBatchSize > 1
        && db.Database.GetDbConnection().State == System.Data.ConnectionState.Closed
        && !OwnsGivenConnection(db);

    /// <summary>A context given a connection object it owns would have it disposed when it joins the batch's connection, and
    /// could not get it back: it runs in a transaction of its own.</summary>
    private static bool OwnsGivenConnection(TContext db) =>
        ContextConnectionOptions.Of(db) is { Connection: not null, IsConnectionOwned: true };

    /// <summary>Queues a run for the next batch with room; see <see cref="InboxTurn"/>.</summary>
    public InboxTurn Enqueue(TContext db, CancellationToken cancellationToken)
    {
        Start(db);
        var turn = new InboxTurn(cancellationToken);
        if (!_waiting.Writer.TryWrite(turn)) turn.Refuse(Stopping());
        return turn;
    }

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        // A handler that ignores its cancellation must not hold the host's shutdown forever.
        var ended = true;
        if (_batches is { } batches)
        {
            await Task.WhenAny(Task.WhenAll(batches), Task.Delay(TimeSpan.FromSeconds(10), time)).ConfigureAwait(false);
            ended = batches.All(b => b.IsCompleted);
        }
        while (_waiting.Reader.TryRead(out var turn)) turn.Refuse(Stopping());
        if (ended) _stopping.Dispose(); // else a batch still runs and may read its token
    }

    private void Start(TContext db)
    {
        if (Volatile.Read(ref _batches) is not null) return;
        lock (_gate)
        {
            if (_batches is not null) return;
            var count = OutboxDialect.For(db).ConcurrentWriters ? options.Value.InboxConcurrentBatches : 1;
            _batches = [.. Enumerable.Range(0, count).Select(_ => Task.Run(RunAsync))];
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<InboxTurn>(options.Value.InboxBatchSize);
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                await FillAsync(batch).ConfigureAwait(false);
                if (batch.Count == 0) continue;
                try
                {
                    await RunBatchAsync(batch).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a batch that broke unexpectedly must not end the loop or leave a run waiting
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    OutboxLog.InboxBatchFailed(logger, batch.Count, ex.Message);
                    Abandon(batch, ex);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // disposed: what is still queued is refused in DisposeAsync
        }
        Abandon(batch, Stopping());
    }

    /// <summary>What a run learns when the host stops before its batch commits.</summary>
    private static ObjectDisposedException Stopping() => new(nameof(InboxBatcher<TContext>), "The inbox is stopping.");

    /// <summary>Every run of the batch that still waits learns <paramref name="error"/> (completed runs ignore it).</summary>
    private static void Abandon(List<InboxTurn> batch, Exception error)
    {
        foreach (var turn in batch)
        {
            turn.Refuse(error);
            turn.FailCommit(error);
        }
        batch.Clear();
    }

    /// <summary>Takes what waits, up to the batch size; with a wait configured, waits that long for the batch to fill.</summary>
    private async Task FillAsync(List<InboxTurn> batch)
    {
        var size = options.Value.InboxBatchSize;
        while (batch.Count < size && _waiting.Reader.TryRead(out var turn)) batch.Add(turn);
        if (batch.Count == 0 || batch.Count >= size || options.Value.InboxBatchWaitMs == 0) return;
        using var waited = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.Value.InboxBatchWaitMs), time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, waited.Token);
        try
        {
            while (batch.Count < size && await _waiting.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                while (batch.Count < size && _waiting.Reader.TryRead(out var turn)) batch.Add(turn);
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            // the wait is over: run what came
        }
    }

    private async Task RunBatchAsync(List<InboxTurn> batch)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            IDbContextTransaction transaction;
            try
            {
                transaction = await db.Database.BeginTransactionAsync(_stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the database's error goes to every run of the batch, which the pipeline retries
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Abandon(batch, ex);
                return;
            }
            await using (transaction.ConfigureAwait(false))
            {
                var kept = await GrantTurnsAsync(batch, db.Database.GetDbConnection(), transaction).ConfigureAwait(false);
                batch.Clear();
                if (kept is null) return; // broken: every run has learnt it; the dispose rolls back
                try
                {
                    if (kept.Count > 0) await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // nothing of the batch is durable: every kept run learns it and is retried
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    OutboxLog.InboxBatchFailed(logger, kept.Count, ex.Message);
                    foreach (var turn in kept) turn.FailCommit(ex);
                    return;
                }
                foreach (var turn in kept) turn.Commit();
            }
        }
    }

    /// <summary>Grants each run its turn and waits until it is done; returns the runs whose work stands, or null when
    /// the shared transaction broke (those runs have learnt it, the rest were refused).</summary>
    private static async Task<List<InboxTurn>?> GrantTurnsAsync(List<InboxTurn> batch, System.Data.Common.DbConnection connection, IDbContextTransaction transaction)
    {
        var kept = new List<InboxTurn>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var turn = batch[i];
            if (turn.CancellationToken.IsCancellationRequested)
            {
                turn.Cancel();
                continue;
            }
            turn.Grant(connection, transaction.GetDbTransaction(), i);
            try
            {
                if (await turn.Done.ConfigureAwait(false)) kept.Add(turn);
            }
#pragma warning disable CA1031 // a run could not roll back to its savepoint: the whole transaction is lost
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var done in kept) done.FailCommit(ex);
                for (var j = i + 1; j < batch.Count; j++) batch[j].Refuse(ex);
                return null;
            }
        }
        return kept;
    }
}
