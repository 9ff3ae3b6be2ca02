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
