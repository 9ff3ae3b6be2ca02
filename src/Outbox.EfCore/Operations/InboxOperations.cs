using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>What an operator does with the inbox table (the <c>messaging inbox</c> commands call these); on any
/// <see cref="DbContext"/> whose model has the messaging tables.</summary>
public static class InboxOperations
{
    /// <summary>Inbox rows per handler with the oldest and newest processing time, and the rows of the redeliveries table.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>Per handler (ordinal order) its rows, and the count of messages with counted redeliveries.</returns>
    public static async Task<InboxStats> StatsAsync(DbContext db, CancellationToken cancellationToken)
    {
        var handlers = await db.Set<InboxRecord>().AsNoTracking().GroupBy(r => r.HandlerName)
            .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(r => r.ProcessedAt), Newest = g.Max(r => r.ProcessedAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var redeliveries = await db.Set<RedeliveryRecord>().CountAsync(cancellationToken).ConfigureAwait(false);
        return new([.. handlers.Select(h => new InboxHandlerRows(h.Key, h.Count, h.Oldest, h.Newest)).OrderBy(h => h.Handler, StringComparer.Ordinal)], redeliveries);
    }

    /// <summary>Deletes the inbox row of (<paramref name="messageId"/>, <paramref name="handler"/>), or of every handler when
    /// <paramref name="handler"/> is null, and the message's redelivery counts, so the next delivery runs the handler again
    /// and poison detection starts afresh. Two DELETEs.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="handler">The handler name; null for every handler.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    /// <returns>The inbox rows deleted.</returns>
    public static async Task<int> ForgetAsync(DbContext db, string messageId, string? handler, CancellationToken cancellationToken)
    {
        var rows = db.Set<InboxRecord>().Where(r => r.MessageId == messageId);
        if (handler is not null) rows = rows.Where(r => r.HandlerName == handler);
        var deleted = await rows.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<RedeliveryRecord>().Where(r => r.MessageId == messageId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Deletes inbox rows processed before <paramref name="olderThan"/>, at most <paramref name="batchSize"/> per
    /// statement so a large purge never holds writers for long, then the redelivery counts last updated before it. Never
    /// deletes the rows of a message that has a Parked, Held or Releasing dead letter: a re-drive or release of it must still
    /// find every handler that already applied it. The dispatcher's retention (<see cref="OutboxOptions.InboxRetentionMs"/>) runs this.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="olderThan">The cut-off (UTC): rows processed before it go.</param>
    /// <param name="batchSize">Most rows per DELETE (count, at least 1).</param>
    /// <param name="progress">Told the inbox rows deleted so far after each batch; null for none.</param>
    /// <param name="cancellationToken">Cancels between and during the statements (deleted batches stay deleted).</param>
    /// <returns>The inbox rows deleted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public static async Task<long> PurgeAsync(DbContext db, DateTime olderThan, int batchSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var inbox = db.Set<InboxRecord>();
        // Held and Releasing messages come back through the outbox too (key-ordered dead-lettering).
        var parked = db.Set<DeadLetter>().Where(d => d.Status == DeadLetterStatus.Parked || d.Status == DeadLetterStatus.Held
            || d.Status == DeadLetterStatus.Releasing).Select(d => d.MessageId);
        long total = 0;
        while (true)
        {
            var old = await inbox.AsNoTracking().Where(r => r.ProcessedAt < olderThan && !parked.Contains(r.MessageId))
                .OrderBy(r => r.ProcessedAt).Take(batchSize).Select(r => new { r.MessageId, r.HandlerName })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var handler in old.GroupBy(r => r.HandlerName, StringComparer.Ordinal))
            {
                var name = handler.Key;
                var messageIds = handler.Select(r => r.MessageId).ToList();
                total += await inbox.Where(r => r.HandlerName == name && messageIds.Contains(r.MessageId) && r.ProcessedAt < olderThan)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
            progress?.Invoke(total);
            if (old.Count < batchSize) break;
        }
        var redeliveries = db.Set<RedeliveryRecord>();
        while (await redeliveries.Where(r => r.LastDeliveredAt < olderThan).OrderBy(r => r.LastDeliveredAt).Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == batchSize)
        {
            // another batch
        }
        return total;
    }
}

/// <summary>The inbox table at a glance (<see cref="InboxOperations.StatsAsync"/>).</summary>
/// <param name="Handlers">Rows per handler.</param>
/// <param name="Redeliveries">Messages with counted redeliveries (poison detection), count.</param>
public sealed record InboxStats(IReadOnlyList<InboxHandlerRows> Handlers, int Redeliveries);

/// <summary>One handler's inbox rows.</summary>
/// <param name="Handler">The handler name.</param>
/// <param name="Count">Rows (count): messages it applied that are still kept.</param>
/// <param name="Oldest">The oldest row's processing time (UTC).</param>
/// <param name="Newest">The newest row's processing time (UTC).</param>
public sealed record InboxHandlerRows(string Handler, int Count, DateTime Oldest, DateTime Newest);
