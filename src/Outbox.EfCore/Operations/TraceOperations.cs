using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>"Where is message X?" from what one database holds (the <c>messaging trace</c> command calls this): its outbox
/// rows, dead letters, the re-drive jobs that re-drove them, inbox rows per handler and counted redeliveries, and a
/// one-line verdict.</summary>
public static class TraceOperations
{
    /// <summary>Everything the messaging tables of <paramref name="db"/> hold about <paramref name="messageId"/>: four
    /// queries by message id, one by job id when a re-drive job re-drove it, and one by key when it is held behind a dead letter of its key. The inbox finds it by its key; the outbox, dead-letter and redelivery tables are scanned (an
    /// index on the outbox's message id would cost every publish a second index write, for a query an operator runs by
    /// hand), so on a large outbox the trace takes as long as a scan of it.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="messageId">The message id, exactly as published.</param>
    /// <param name="now">The current time (UTC), to say whether a row waits for its retry time.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The rows, each list in the order they were written, and the verdict.</returns>
    /// <exception cref="ArgumentException"><paramref name="messageId"/> is empty.</exception>
    public static async Task<MessageTrace> TraceAsync(DbContext db, string messageId, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var outbox = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.MessageId == messageId).OrderBy(m => m.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var deadLetters = await db.Set<DeadLetter>().AsNoTracking().Where(d => d.MessageId == messageId).OrderBy(d => d.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var inbox = await db.Set<InboxRecord>().AsNoTracking().Where(r => r.MessageId == messageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        inbox.Sort((a, b) => a.ProcessedAt.CompareTo(b.ProcessedAt));
        var redeliveries = await db.Set<RedeliveryRecord>().AsNoTracking().Where(r => r.MessageId == messageId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var jobIds = deadLetters.Where(d => d.LastRedriveJobId is not null).Select(d => d.LastRedriveJobId!.Value).Distinct().ToList();
        var jobs = jobIds.Count == 0 ? [] : await db.Set<RedriveJob>().AsNoTracking().Where(j => jobIds.Contains(j.Id)).OrderBy(j => j.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var held = deadLetters.FirstOrDefault(d => d.Status == DeadLetterStatus.Held);
        var head = held is null ? null : await ParkedKeyOperations.HeadOfAsync(db, held, cancellationToken).ConfigureAwait(false);
        return new MessageTrace(messageId, outbox, deadLetters, jobs, inbox, redeliveries, Verdict(messageId, outbox, deadLetters, inbox, head, now));
    }

    /// <summary>The one line an operator reads first: the state that needs them, else where the message is now.</summary>
    private static string Verdict(string messageId, List<OutboxMessage> outbox, List<DeadLetter> deadLetters, List<InboxRecord> inbox, DeadLetter? head,
        DateTime now)
    {
        if (deadLetters.FirstOrDefault(d => d.Status == DeadLetterStatus.Parked) is { } parked)
            return $"dead-lettered at handler {parked.HandlerName ?? "(none: before any handler ran)"} of endpoint {parked.Endpoint} "
                + $"({parked.Failures} failure(s), last {Time(parked.LastFailedAt)}): {parked.Reason}"
                + (parked.ExceptionType is null ? "" : $" ({parked.ExceptionType}: {parked.ExceptionMessage})") + "; once the cause is fixed: "
                + $"messaging dlq redrive {messageId}";
        if (deadLetters.FirstOrDefault(d => d.Status == DeadLetterStatus.Held) is { } held)
            return head is null
                ? $"held at endpoint {held.Endpoint} since {Time(held.LastFailedAt)} (key {held.PartitionKey}); nothing holds its key any more: "
                    + "it is released with the key's next message"
                : $"parked behind {head.MessageId} at endpoint {held.Endpoint} since {Time(held.LastFailedAt)}: that earlier message of key "
                    + $"{held.PartitionKey} is {head.Status.ToString().ToLowerInvariant()}"
                    + (head.Status == DeadLetterStatus.Parked ? $" ({head.Reason})" : "")
                    + $"; this one is handled, in order, once {head.MessageId} is re-driven and handled, or discarded"
                    + (head.Status == DeadLetterStatus.Parked ? $": messaging dlq redrive {head.MessageId}" : "");
        if (inbox.Count > 0)
            return $"handled by {inbox.Count} handler(s): {string.Join(", ", inbox.Select(r => $"{r.HandlerName} at {Time(r.ProcessedAt)}"))}"
                + (deadLetters.Count > 0 ? $" (dead-lettered before, re-driven {deadLetters.Sum(d => d.RedriveCount)} time(s))" : "");
        if (outbox.Count > 0 && outbox[^1] is var row)
        {
            var via = $"to {row.Destination}" + (row.Transport is null ? "" : $" via {row.Transport}");
            switch (row.Status)
            {
                case OutboxStatus.Failed:
                    return $"failed in the outbox {via} after {row.Attempts} attempt(s): {row.LastError}; once the cause is fixed: "
                        + $"messaging outbox retry {row.Id.ToString(CultureInfo.InvariantCulture)}";
                case OutboxStatus.Pending when row.LastError is not null:
                    return $"waiting in the outbox {via} since {Time(row.CreatedAt)}, {row.Attempts} attempt(s) so far: {row.LastError}";
                case OutboxStatus.Pending when row.LeaseUntil > now:
                    return $"in the outbox {via}, being sent or waiting for its retry time ({Time(row.LeaseUntil.Value)})";
                case OutboxStatus.Pending:
                    return $"waiting in the outbox {via} since {Time(row.CreatedAt)}, not sent yet (an earlier message of its key, or the dispatcher's next round)";
                default:
                    return $"sent {via} at {Time(row.SentAt ?? row.CreatedAt)}; no handler of this database has recorded it (in flight, "
                        + "queued at the broker, or handled by a service with another database)";
            }
        }
        if (deadLetters.Count > 0 && deadLetters[^1] is var last)
            return $"dead-lettered at handler {last.HandlerName ?? "(none)"} and {last.Status.ToString().ToLowerInvariant()} "
                + (last.LastRedrivenAt is { } at ? $"at {Time(at)}" : "") + "; nothing else of it in this database";
        return "nothing about this message id in this database: not published through its outbox, not handled or dead-lettered "
            + "here, or its rows were removed by retention";
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One message's story in one database (<see cref="TraceOperations.TraceAsync"/>).</summary>
/// <param name="MessageId">The message id traced.</param>
/// <param name="Outbox">Its outbox rows (more than one when it was re-driven or published again), oldest first.</param>
/// <param name="DeadLetters">Its dead-letter rows (one per endpoint it failed at), oldest first.</param>
/// <param name="RedriveJobs">The re-drive jobs that last re-drove its dead letters (who, why, when), oldest first.</param>
/// <param name="Inbox">Its inbox rows: one per handler that applied it, in the order they did.</param>
/// <param name="Redeliveries">Its counted redeliveries per endpoint (poison detection).</param>
/// <param name="Verdict">One line: dead-lettered at which handler and why, parked behind which dead letter of its key, handled
/// by which handlers, failed or waiting in the outbox and why, sent but not handled here, or not known to this database.</param>
public sealed record MessageTrace(string MessageId, IReadOnlyList<OutboxMessage> Outbox, IReadOnlyList<DeadLetter> DeadLetters,
    IReadOnlyList<RedriveJob> RedriveJobs, IReadOnlyList<InboxRecord> Inbox, IReadOnlyList<RedeliveryRecord> Redeliveries, string Verdict);
