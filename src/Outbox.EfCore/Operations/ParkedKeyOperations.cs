using Messaging.Outbox.DeadLetters;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>The partition keys that key-ordered dead-lettering holds (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>;
/// the <c>messaging dlq keys</c> command calls this).</summary>
public static class ParkedKeyOperations
{
    /// <summary>Every (endpoint, partition key) with a key-ordered dead letter that is Parked, Held or Releasing, with its head
    /// (the first of them: the one to re-drive or discard) and how many messages wait behind it. Reads the ids, keys and
    /// statuses of those rows, then the heads whole.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="endpoint">Only this endpoint's keys; null for every endpoint.</param>
    /// <param name="limit">Most keys returned (count), those held longest first.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The held keys, oldest head first.</returns>
    public static async Task<List<ParkedKey>> ListAsync(DbContext db, string? endpoint, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = KeyedDeadLetters.Holding(db.Set<DeadLetter>().AsNoTracking()).Where(d => d.PartitionKey != null);
        if (endpoint is not null) rows = rows.Where(d => d.Endpoint == endpoint);
        var facts = await rows.Select(d => new { d.Id, d.Endpoint, d.PartitionKey, d.Status }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var keys = facts.GroupBy(f => (f.Endpoint, Key: f.PartitionKey!))
            .Select(g => (g.Key.Endpoint, g.Key.Key, Head: g.Min(f => f.Id), Behind: g.Count() - 1))
            .OrderBy(k => k.Head).Take(Math.Max(1, limit)).ToList();
        var headIds = keys.Select(k => k.Head).ToList();
        var heads = await db.Set<DeadLetter>().AsNoTracking().Where(d => headIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken)
            .ConfigureAwait(false);
        return [.. keys.Where(k => heads.ContainsKey(k.Head)).Select(k => new ParkedKey(k.Endpoint, k.Key, heads[k.Head], k.Behind))];
    }

    /// <summary>The row that holds <paramref name="row"/>'s key at its endpoint (the first Parked, Held or Releasing
    /// key-ordered row of that key), not tracked; null when the row is not key-ordered or its key is not held.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="row">A dead-letter row.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The head of the row's key, possibly the row itself.</returns>
    public static Task<DeadLetter?> HeadOfAsync(DbContext db, DeadLetter row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(row);
        return row is { KeyOrdered: true, PartitionKey: { } key }
            ? KeyedDeadLetters.Blocking(db, row.Endpoint, key).AsNoTracking().FirstOrDefaultAsync(cancellationToken)
            : Task.FromResult<DeadLetter?>(null);
    }
}

/// <summary>A partition key held at an endpoint by key-ordered dead-lettering.</summary>
/// <param name="Endpoint">The consuming endpoint.</param>
/// <param name="PartitionKey">The key.</param>
/// <param name="Head">The first row holding it: Parked (re-drive or discard it to release the key), Releasing (re-driven,
/// waiting to be handled), or Held (its turn came; it is released with the key's next message).</param>
/// <param name="Behind">Messages held behind the head (count).</param>
public sealed record ParkedKey(string Endpoint, string PartitionKey, DeadLetter Head, int Behind);
