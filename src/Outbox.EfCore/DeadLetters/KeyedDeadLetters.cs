using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.DeadLetters;

/// <summary>
/// The rows of key-ordered dead-lettering (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>): which rows hold a key, and
/// the release of the messages held behind a key once what held it is handled or discarded.
/// </summary>
internal static class KeyedDeadLetters
{
    /// <summary>The rows that hold (endpoint, key), oldest first: key-ordered and Parked, Held or Releasing. The first is the
    /// only one of its key that may reach the handlers.</summary>
    public static IQueryable<DeadLetter> Blocking(DbContext db, string endpoint, string key) =>
        Holding(db.Set<DeadLetter>()).Where(d => d.Endpoint == endpoint && d.PartitionKey == key).OrderBy(d => d.Id);

    /// <summary>The rows of <paramref name="rows"/> that hold their key: key-ordered and Parked, Held or Releasing.</summary>
    public static IQueryable<DeadLetter> Holding(IQueryable<DeadLetter> rows) =>
        rows.Where(d => d.KeyOrdered && (d.Status == DeadLetterStatus.Parked || d.Status == DeadLetterStatus.Held || d.Status == DeadLetterStatus.Releasing));

    /// <summary>Most held messages of one key released in one transaction (count); the rest follow once these are handled.</summary>
    public const int ReleaseBatch = 1_000;

    /// <summary>In the caller's transaction, not saved: when nothing before them holds (endpoint, key) any more (the first
    /// row holding it is Held), its Held rows, oldest first and at most <see cref="ReleaseBatch"/>, become Releasing and get
    /// their outbox rows in that order (same message ids, original destination, through their transport): the outbox
    /// publishes a key's rows in order and the endpoint handles them one after another, each passing the gate as the
    /// first row of its key. Should one fail again, it holds the key and those after it are held again behind it.</summary>
    /// <returns>The messages released.</returns>
    public static async Task<int> ReleaseHeldAsync(DbContext db, string endpoint, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = await Blocking(db, endpoint, key).Select(d => (DeadLetterStatus?)d.Status).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (first != DeadLetterStatus.Held) return 0;
        var held = await Blocking(db, endpoint, key).Where(d => d.Status == DeadLetterStatus.Held).Take(ReleaseBatch)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in held) DeadLetterRows.Redrive(db, row, now);
        return held.Count;
    }

    /// <summary>After <paramref name="rows"/> were discarded: releases the messages held behind each key they held.</summary>
    public static async Task ReleaseAfterDiscardAsync(DbContext db, IEnumerable<DeadLetter> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var (endpoint, key) in rows.Where(r => r.KeyOrdered && r.PartitionKey is not null).Select(r => (r.Endpoint, r.PartitionKey!)).Distinct())
            await ReleaseHeldAsync(db, endpoint, key, now, cancellationToken).ConfigureAwait(false);
    }
}
