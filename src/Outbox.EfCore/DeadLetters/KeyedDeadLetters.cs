using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.DeadLetters;

/// <summary>
/// The rows of key-ordered dead-lettering (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>): which rows hold a key, and
/// the release of the next held message once the one before it is handled or discarded.
/// </summary>
internal static class KeyedDeadLetters
{
    /// <summary>The rows that hold (endpoint, key), oldest first: key-ordered and Parked, Held or Releasing. The first is the
    /// only one of its key that may reach the handlers.</summary>
    public static IQueryable<DeadLetter> Blocking(DbContext db, string endpoint, string key) =>
        db.Set<DeadLetter>().Where(d => d.Endpoint == endpoint && d.PartitionKey == key && d.KeyOrdered
            && (d.Status == DeadLetterStatus.Parked || d.Status == DeadLetterStatus.Held || d.Status == DeadLetterStatus.Releasing))
            .OrderBy(d => d.Id);

    /// <summary>In the caller's transaction, not saved: when the first row holding (endpoint, key) is Held, it becomes
    /// Releasing and gets its outbox row (same message id, its original destination, through its transport).</summary>
    /// <returns>True when a message was released.</returns>
    public static async Task<bool> ReleaseNextAsync(DbContext db, string endpoint, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = await Blocking(db, endpoint, key).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (next is not { Status: DeadLetterStatus.Held }) return false;
        next.Status = DeadLetterStatus.Releasing;
        next.RedriveCount++;
        next.LastRedrivenAt = now.UtcDateTime;
        next.LastRedriveJobId = null;
        db.Set<OutboxMessage>().Add(OutboxRows.ToRow(DeadLetterRows.ToEnvelope(next, now), next.Transport));
        return true;
    }

    /// <summary>After <paramref name="rows"/> were discarded: releases the next held message of each key they held.</summary>
    public static async Task ReleaseAfterDiscardAsync(DbContext db, IEnumerable<DeadLetter> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var (endpoint, key) in rows.Where(r => r.KeyOrdered && r.PartitionKey is not null).Select(r => (r.Endpoint, r.PartitionKey!)).Distinct())
            await ReleaseNextAsync(db, endpoint, key, now, cancellationToken).ConfigureAwait(false);
    }
}
