using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>What an operator does with the inbox table (the <c>messaging inbox</c> commands).</summary>
internal static class InboxOperations
{
    /// <summary>Inbox rows per handler with the oldest and newest processing time, and the redeliveries rows (count).</summary>
    public static async Task<(List<(string Handler, int Count, DateTime Oldest, DateTime Newest)> Handlers, int Redeliveries)> StatsAsync(DbContext db, CancellationToken cancellationToken)
    {
        var handlers = await db.Set<InboxRecord>().AsNoTracking().GroupBy(r => r.HandlerName)
            .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(r => r.ProcessedAt), Newest = g.Max(r => r.ProcessedAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var redeliveries = await db.Set<RedeliveryRecord>().CountAsync(cancellationToken).ConfigureAwait(false);
        return ([.. handlers.Select(h => (h.Key, h.Count, h.Oldest, h.Newest)).OrderBy(h => h.Key, StringComparer.Ordinal)], redeliveries);
    }

    /// <summary>Deletes the inbox row of (<paramref name="messageId"/>, <paramref name="handler"/>), or of every handler when
    /// <paramref name="handler"/> is null, and the message's redelivery counts, so the next delivery runs the handler again
    /// and poison detection starts afresh. Returns the inbox rows deleted.</summary>
    public static async Task<int> ForgetAsync(DbContext db, string messageId, string? handler, CancellationToken cancellationToken)
    {
        var rows = db.Set<InboxRecord>().Where(r => r.MessageId == messageId);
        if (handler is not null) rows = rows.Where(r => r.HandlerName == handler);
        var deleted = await rows.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<RedeliveryRecord>().Where(r => r.MessageId == messageId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }
}
