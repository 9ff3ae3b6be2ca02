using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Wakes the dispatcher once a save after <see cref="Added"/> has committed: at once after an auto-committed
/// <c>SaveChanges</c>, else when EF Core commits the surrounding transaction (nothing on rollback). With
/// <see cref="OutboxOptions.UseListenNotify"/> on PostgreSQL it also sends <c>pg_notify</c> inside the writing
/// transaction, which PostgreSQL delivers to every listening dispatcher on commit. A transaction committed outside
/// EF Core (<c>UseTransaction</c> with the caller's own commit) is found by polling instead.
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal, IOptions<OutboxOptions> options) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } db && _pending.TryGetValue(db, out _))
        {
            if (UseNotify(db)) OutboxDialect.For(db).NotifyAsync(db, OutboxTableNames.NotifyChannel(db), CancellationToken.None).GetAwaiter().GetResult();
            if (db.Database.CurrentTransaction is null) Wake(db);
        }
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _pending.TryGetValue(db, out _))
        {
            if (UseNotify(db))
                await OutboxDialect.For(db).NotifyAsync(db, OutboxTableNames.NotifyChannel(db), cancellationToken).ConfigureAwait(false);
            if (db.Database.CurrentTransaction is null) Wake(db);
        }
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null) _pending.Remove(db);
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) Wake(db);
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

    /// <summary>The outbox added a row to <paramref name="db"/>: its next commit wakes the dispatcher. Told by the outbox
    /// itself, so that no save has to scan the change tracker (which would detect changes once more).</summary>
    public void Added(DbContext db) => _pending.AddOrUpdate(db, Marker);

    private void Wake(DbContext db)
    {
        if (_pending.Remove(db)) signal.Wake();
    }

    private bool UseNotify(DbContext db) => options.Value.UseListenNotify && OutboxDialect.For(db).SupportsNotify;
}
