using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>What an operator does with the outbox table (the <c>messaging outbox</c> commands).</summary>
internal static class OutboxOperations
{
    /// <summary>Rows per status and transport (a null transport is the application's primary one), and the oldest Pending
    /// row's creation time (null when none is pending).</summary>
    public static async Task<(List<(string Status, string Transport, int Count)> Counts, DateTime? OldestPending)> StatsAsync(DbContext db, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>().AsNoTracking();
        var counts = await outbox.GroupBy(m => new { m.Status, m.Transport }).Select(g => new { g.Key.Status, g.Key.Transport, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var oldest = await outbox.Where(m => m.Status == OutboxStatus.Pending).OrderBy(m => m.Id).Select(m => (DateTime?)m.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return ([.. counts.Select(c => (c.Status.ToString(), c.Transport ?? "(primary)", c.Count)).OrderBy(c => c.Item1).ThenBy(c => c.Item2)], oldest);
    }

    /// <summary>The newest rows, optionally of one status and destination.</summary>
    public static Task<List<OutboxMessage>> ListAsync(DbContext db, OutboxStatus? status, string? destination, int limit, CancellationToken cancellationToken)
    {
        var rows = db.Set<OutboxMessage>().AsNoTracking();
        if (status is { } s) rows = rows.Where(m => m.Status == s);
        if (destination is not null) rows = rows.Where(m => m.Destination == destination);
        return rows.OrderByDescending(m => m.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Puts Failed rows back to Pending with their attempts at 0 and no lease, same message id; <paramref name="ids"/>
    /// null for every Failed row. Returns the rows changed (only Failed rows are touched).</summary>
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

    /// <summary>Deletes Sent rows sent before <paramref name="cutoff"/>, <paramref name="batchSize"/> per statement; returns how many.</summary>
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
