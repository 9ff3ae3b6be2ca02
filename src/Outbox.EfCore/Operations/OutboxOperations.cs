using Messaging.Transport;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>
/// What an operator does with the outbox table: the <c>messaging outbox</c> commands call these, and so can a service's
/// own admin page. Each works on any <see cref="DbContext"/> whose model has the messaging tables (the application's, or one
/// made for operations) and runs its statements at once, outside any transaction of the caller's.
/// </summary>
public static class OutboxOperations
{
    /// <summary>Rows per status and transport, and the oldest Pending row's creation time (null when none is pending). A row
    /// that names no transport (written before every row named its own) is counted under <paramref name="primary"/>, the
    /// transport it goes through, or <c>(none)</c> when that is unknown; names differing only in case are one transport.
    /// Two queries: a GROUP BY over the table and the first Pending row by id.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="primary">The primary transport's name (<c>Messaging:Transport</c>), or null when unknown.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The counts, ordered by status then transport, and the oldest Pending row's creation time (UTC).</returns>
    public static Task<OutboxStats> StatsAsync(DbContext db, string? primary, CancellationToken cancellationToken) =>
        CountAsync(db, db.Set<OutboxMessage>().AsNoTracking(), primary, cancellationToken);

    /// <summary><see cref="StatsAsync"/> of the rows still to send: Pending and Failed only. It reads them through the
    /// <c>(status, id)</c> index, so it stays fast when the table keeps millions of Sent rows (a page that refreshes; the Sent
    /// count needs a scan of the table).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="primary">The primary transport's name (<c>Messaging:Transport</c>), or null when unknown.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The Pending and Failed counts, ordered by status then transport, and the oldest Pending row's creation time (UTC).</returns>
    public static Task<OutboxStats> BacklogAsync(DbContext db, string? primary, CancellationToken cancellationToken) =>
        CountAsync(db, db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Failed), primary, cancellationToken);

    private static async Task<OutboxStats> CountAsync(DbContext db, IQueryable<OutboxMessage> rows, string? primary, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>().AsNoTracking();
        var counts = await rows.GroupBy(m => new { m.Status, m.Transport }).Select(g => new { g.Key.Status, g.Key.Transport, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var oldest = await outbox.Where(m => m.Status == OutboxStatus.Pending).OrderBy(m => m.Id).Select(m => (DateTime?)m.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var merged = counts.Select(c => (c.Status, Transport: MessagingTransports.NameOrPrimary(c.Transport, primary) ?? "(none)", c.Count))
            .GroupBy(c => (c.Status, Name: c.Transport.ToUpperInvariant()))
            .Select(g => new OutboxCount(g.Key.Status.ToString(), Spelling(g), g.Sum(c => c.Count)));
        return new([.. merged.OrderBy(c => c.Status, StringComparer.Ordinal).ThenBy(c => c.Transport, StringComparer.OrdinalIgnoreCase)], oldest);
    }

    /// <summary>How a transport written in several cases is shown: the spelling most rows have (ties: ordinal order).</summary>
    private static string Spelling(IEnumerable<(OutboxStatus Status, string Transport, int Count)> rows) =>
        rows.GroupBy(r => r.Transport, StringComparer.Ordinal).OrderByDescending(g => g.Sum(r => r.Count)).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;

    /// <summary>The newest rows, optionally of one status and destination, not tracked.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="status">Only rows of this status; null for every status.</param>
    /// <param name="destination">Only rows to this destination (exact); null for every destination.</param>
    /// <param name="limit">Most rows returned (count).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, newest (highest id) first.</returns>
    public static Task<List<OutboxMessage>> ListAsync(DbContext db, OutboxStatus? status, string? destination, int limit, CancellationToken cancellationToken)
    {
        var rows = db.Set<OutboxMessage>().AsNoTracking();
        if (status is { } s) rows = rows.Where(m => m.Status == s);
        if (destination is not null) rows = rows.Where(m => m.Destination == destination);
        return rows.OrderByDescending(m => m.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Puts Failed rows back to Pending with their attempts at 0 and no lease, same message id; <paramref name="ids"/>
    /// null for every Failed row. One UPDATE; the dispatcher publishes them again on its next round.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="ids">Row ids (the <c>id</c> column); null for every Failed row.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The rows changed (only Failed rows are touched).</returns>
    public static Task<int> RetryAsync(DbContext db, IReadOnlyList<long>? ids, CancellationToken cancellationToken)
    {
        var rows = db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Failed);
        if (ids is not null)
        {
            var list = ids.ToList();
            rows = rows.Where(m => list.Contains(m.Id));
        }
        return rows.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.Attempts, 0)
            .SetProperty(m => m.LastError, (string?)null).SetProperty(m => m.LeaseUntil, (DateTime?)null), cancellationToken);
    }

    /// <summary>Moves Pending rows from transport <paramref name="from"/> (case-insensitive) to <paramref name="to"/>, leases
    /// cleared, message ids kept: for rows whose transport no host uses any more (a deployment moved to the other broker).
    /// One UPDATE.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="from">The transport the rows name now.</param>
    /// <param name="to">The transport they are to go through.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The rows changed; Sent and Failed rows are not touched.</returns>
    public static Task<int> RetargetAsync(DbContext db, string from, string to, CancellationToken cancellationToken)
    {
#pragma warning disable CA1304, CA1311 // ToLower() here is SQL LOWER(), translated by the provider, not run in .NET
        string[] names = [from.ToLowerInvariant()];
        return db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.Transport != null && names.Contains(m.Transport.ToLower()))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Transport, to).SetProperty(m => m.LeaseUntil, (DateTime?)null)
                .SetProperty(m => m.LeaseOwner, (string?)null), cancellationToken);
#pragma warning restore CA1304, CA1311
    }

    /// <summary>Deletes Sent rows sent before <paramref name="cutoff"/>, <paramref name="batchSize"/> per statement, so no
    /// statement holds locks on many rows at once. The dispatcher's retention (<see cref="OutboxOptions.SentRetentionMs"/>) runs
    /// this.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="cutoff">Rows whose <c>sent_at</c> is earlier are deleted (UTC).</param>
    /// <param name="batchSize">Rows deleted per statement (count, at least 1).</param>
    /// <param name="progress">Called after each statement with the rows deleted so far; may be null.</param>
    /// <param name="cancellationToken">Cancels between and during statements; what was deleted stays deleted.</param>
    /// <returns>The rows deleted.</returns>
    public static async Task<long> PurgeSentAsync(DbContext db, DateTime cutoff, int batchSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>();
        DateTime? before = cutoff;
        long total = 0;
        while (true)
        {
            var ids = outbox.Where(m => m.Status == OutboxStatus.Sent && m.SentAt < before).OrderBy(m => m.Id).Take(batchSize).Select(m => m.Id);
            var deleted = await outbox.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            total += deleted;
            progress?.Invoke(total);
            if (deleted < batchSize) return total;
        }
    }
}

/// <summary>The outbox table at a glance (<see cref="OutboxOperations.StatsAsync"/>).</summary>
/// <param name="Counts">Rows per status and transport.</param>
/// <param name="OldestPending">The oldest Pending row's creation time (UTC); null when none is pending.</param>
public sealed record OutboxStats(IReadOnlyList<OutboxCount> Counts, DateTime? OldestPending);

/// <summary>How many outbox rows have one status and transport.</summary>
/// <param name="Status">The <see cref="OutboxStatus"/> name: <c>Pending</c>, <c>Sent</c>, <c>Failed</c>.</param>
/// <param name="Transport">The transport, as most of its rows spell it.</param>
/// <param name="Count">Rows (count).</param>
public sealed record OutboxCount(string Status, string Transport, int Count);
