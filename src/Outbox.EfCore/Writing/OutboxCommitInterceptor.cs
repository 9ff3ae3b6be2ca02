using System.Data.Common;
using System.Runtime.CompilerServices;
using Messaging.Outbox.Dialects;
using Messaging.Outbox.Dispatch;
using Messaging.Outbox.Schema;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Writing;

/// <summary>
/// Acts once a save after <see cref="Added"/> has committed. After an auto-committed <c>SaveChangesAsync</c> with
/// <see cref="OutboxOptions.FlushOnCommit"/>, it publishes the rows itself (<see cref="IOutboxFlusher"/>) before the save
/// returns; otherwise it wakes the dispatcher: at once after an auto-committed <c>SaveChanges</c>, else when EF Core
/// commits the surrounding transaction (nothing on rollback). With
/// <see cref="OutboxOptions.UseListenNotify"/> on PostgreSQL it also sends <c>pg_notify</c> inside the writing
/// transaction, which PostgreSQL delivers to every listening dispatcher on commit. A transaction committed outside
/// EF Core (<c>UseTransaction</c> with the caller's own commit) is found by polling instead; one in an ambient
/// <c>TransactionScope</c> wakes the dispatcher when the scope commits (no flush: the save returns before the commit).
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal, IOptions<OutboxOptions> options, IServiceProvider services)
    : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, PendingRows> _pending = [];
    private IOutboxFlusher[]? _flushers; // resolved on first use: they need the transports, which need the host

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context, true);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context, true);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saving(eventData.Context, false);
        if (eventData.Context is { } db && _pending.TryGetValue(db, out _))
        {
            if (UseNotify(db)) OutboxDialect.For(db).NotifyAsync(db, OutboxTableNames.NotifyChannel(db), CancellationToken.None).GetAwaiter().GetResult();
            if (db.Database.CurrentTransaction is not null) return result;
            if (WakeOnAmbientCommit()) _pending.Remove(db);
            else Wake(db);
        }
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context, false);
        if (eventData.Context is { } db && _pending.TryGetValue(db, out var pending))
        {
            if (UseNotify(db))
                await OutboxDialect.For(db).NotifyAsync(db, OutboxTableNames.NotifyChannel(db), cancellationToken).ConfigureAwait(false);
            if (db.Database.CurrentTransaction is null)
            {
                _pending.Remove(db);
                // Under a TransactionScope the save has not committed yet: publishing now could publish what is then
                // rolled back. The dispatcher is woken when the scope commits.
                if (WakeOnAmbientCommit()) return result;
                if (options.Value.FlushOnCommit && FlusherFor(db) is { } flusher) await flusher.FlushAsync(db, pending.Rows, cancellationToken).ConfigureAwait(false);
                else signal.Wake();
            }
        }
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        Saving(eventData.Context, false);
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) _pending.Remove(db);
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        // The transaction SaveChanges makes for itself commits before SavedChanges, which decides; the application's own
        // transaction commits after its saves.
        if (eventData.Context is { } db && !(_pending.TryGetValue(db, out var pending) && pending.Saving)) Wake(db);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) _pending.Remove(db);
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    /// <summary>A context whose changes another context's transaction committed (an inbox batch): wakes the dispatcher
    /// when it wrote outbox rows.</summary>
    public void CommittedElsewhere(DbContext db) => Wake(db);

    /// <summary>The outbox added <paramref name="row"/> to <paramref name="db"/>: its next commit flushes it or wakes the
    /// dispatcher. Told by the outbox itself, so that no save has to scan the change tracker (which would detect changes
    /// once more).</summary>
    public void Added(DbContext db, OutboxMessage row) => _pending.GetOrCreateValue(db).Rows.Add(row);

    private void Saving(DbContext? db, bool saving)
    {
        if (db is not null && _pending.TryGetValue(db, out var pending)) pending.Saving = saving;
    }

    /// <summary>The rows the outbox added to one context since its last commit, and whether a save is running.</summary>
    private sealed class PendingRows
    {
        public List<OutboxMessage> Rows { get; } = [];
        public bool Saving { get; set; }
    }

    private IOutboxFlusher? FlusherFor(DbContext db)
    {
        _flushers ??= [.. services.GetServices<IOutboxFlusher>()];
        foreach (var flusher in _flushers)
            if (flusher.ContextType == db.GetType()) return flusher;
        return null;
    }

    /// <summary>When an ambient <c>TransactionScope</c> holds the save, wakes the dispatcher once it commits (nothing on
    /// rollback) and returns true.</summary>
    private bool WakeOnAmbientCommit()
    {
        if (System.Transactions.Transaction.Current is not { } ambient) return false;
        ambient.TransactionCompleted += (_, e) =>
        {
            if (e.Transaction?.TransactionInformation.Status == System.Transactions.TransactionStatus.Committed) signal.Wake();
        };
        return true;
    }

    private void Wake(DbContext db)
    {
        if (_pending.Remove(db)) signal.Wake();
    }

    private bool UseNotify(DbContext db) => options.Value.UseListenNotify && OutboxDialect.For(db).SupportsNotify;
}
