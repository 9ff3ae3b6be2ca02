using Messaging.Handling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Outbox;

/// <summary>
/// The inbox: runs each handler in a database transaction on the scoped <typeparamref name="TContext"/> that
/// first records (message id, handler name) and commits that row together with the handler's changes. A message
/// already recorded is skipped without running the handler; a failing handler rolls everything back and the
/// pipeline retries.
/// </summary>
internal sealed class InboxFilter<TContext>(TimeProvider time, ILogger<InboxFilter<TContext>> logger) : IHandlerFilter
    where TContext : DbContext
{
    public async Task<HandlerOutcome> InvokeAsync(MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var db = context.Services.GetRequiredService<TContext>();
        if (db.Database.CurrentTransaction is not null)
            return await RunInCallersTransactionAsync(db, context, next, cancellationToken).ConfigureAwait(false);

        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                if (await IsRecordedAsync(db, context, cancellationToken).ConfigureAwait(false))
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
                    return HandlerOutcome.SkippedDuplicate;
                }
                // Insert the inbox row before the handler runs: a concurrent duplicate then waits on the key
                // (PostgreSQL) or the write lock (SQLite) instead of running the handler alongside.
                var record = Record(context);
                db.Set<InboxRecord>().Add(record);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                var outcome = await next(cancellationToken).ConfigureAwait(false);
                record.ProcessedAt = time.GetUtcNow().UtcDateTime;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return outcome;
            }
            catch (DbUpdateException)
            {
                await TryRollbackAsync(transaction, context).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                // A unique-key violation on the inbox key means another execution committed this message first.
                // Checked by reading, so a constraint violation in the handler's own rows is not mistaken for it.
                if (!await IsRecordedAsync(db, context, cancellationToken).ConfigureAwait(false)) throw;
                OutboxLog.ConcurrentDuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
                return HandlerOutcome.SkippedDuplicate;
            }
            catch
            {
                await TryRollbackAsync(transaction, context).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Someone else owns the transaction: record and run inside it, leave commit and rollback to them.</summary>
    private async Task<HandlerOutcome> RunInCallersTransactionAsync(TContext db, MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        if (await IsRecordedAsync(db, context, cancellationToken).ConfigureAwait(false))
        {
            OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
            return HandlerOutcome.SkippedDuplicate;
        }
        var record = Record(context);
        db.Set<InboxRecord>().Add(record);
        var outcome = await next(cancellationToken).ConfigureAwait(false);
        record.ProcessedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private InboxRecord Record(MessageContext context)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new InboxRecord { MessageId = context.Envelope.MessageId, HandlerName = context.HandlerName, ReceivedAt = now, ProcessedAt = now };
    }

    private static Task<bool> IsRecordedAsync(TContext db, MessageContext context, CancellationToken cancellationToken)
    {
        var messageId = context.Envelope.MessageId;
        var handler = context.HandlerName;
        return db.Set<InboxRecord>().AsNoTracking().AnyAsync(r => r.MessageId == messageId && r.HandlerName == handler, cancellationToken);
    }

    private async Task TryRollbackAsync(IDbContextTransaction transaction, MessageContext context)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the original exception matters more; disposing the transaction abandons it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.RollbackFailed(logger, ex, context.Envelope.MessageId, context.HandlerName);
        }
    }
}
