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
/// <remarks>
/// The record is one <c>INSERT ... ON CONFLICT (message_id, handler_name) DO NOTHING</c> before the handler runs:
/// no row written means the message was already handled. A concurrent duplicate waits on the key (PostgreSQL: until
/// the first inserter commits or rolls back) or on the write lock (SQLite) instead of running the handler
/// alongside, and then sees the committed row. Round trips per handled message: the insert (with the lazily sent
/// BEGIN), the handler's own saves, COMMIT.
/// </remarks>
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
                if (!await TryRecordAsync(db, context, cancellationToken).ConfigureAwait(false))
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
                    return HandlerOutcome.SkippedDuplicate;
                }
                var outcome = await next(cancellationToken).ConfigureAwait(false);
                // Changes the handler tracked but did not save commit with the inbox row (no round trip when none).
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return outcome;
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
        if (!await TryRecordAsync(db, context, cancellationToken).ConfigureAwait(false))
        {
            OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
            return HandlerOutcome.SkippedDuplicate;
        }
        var outcome = await next(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Writes the inbox row in the current transaction; false when (message id, handler) is already there.</summary>
    /// <remarks><c>received_at</c> and <c>processed_at</c> both get the time handling started: the row commits only
    /// with the handler's work, so a committed row means "processed"; a separate update at the end would cost a round
    /// trip per message.</remarks>
    private async Task<bool> TryRecordAsync(TContext db, MessageContext context, CancellationToken cancellationToken)
    {
        var t = OutboxTableNames.ForInbox(db);
        string messageId = t[nameof(InboxRecord.MessageId)], handler = t[nameof(InboxRecord.HandlerName)];
        var sql = $"INSERT INTO {t.Table} ({messageId}, {handler}, {t[nameof(InboxRecord.ReceivedAt)]}, {t[nameof(InboxRecord.ProcessedAt)]}) " +
            $"VALUES ({{0}}, {{1}}, {{2}}, {{2}}) ON CONFLICT ({messageId}, {handler}) DO NOTHING";
        var now = time.GetUtcNow().UtcDateTime;
        var written = await db.Database.ExecuteSqlRawAsync(sql, [context.Envelope.MessageId, context.HandlerName, now], cancellationToken)
            .ConfigureAwait(false);
        return written == 1;
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
