using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Claims a batch of due Pending rows for one dispatcher in a short transaction by setting their lease, so several
/// instances can dispatch from one database without sending a row twice and without breaking per-key order.
/// </summary>
/// <remarks>
/// PostgreSQL: candidates are read with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claims never wait on, nor take,
/// each other's rows. SQLite: the claim transaction is <c>BEGIN IMMEDIATE</c> (the database's single writer), so
/// claims run one at a time and each sees the leases of the previous one. Other providers are treated like SQLite,
/// which is safe only with one dispatcher unless the database serializes the claim transaction.
/// Per key: a candidate is dropped when an earlier due Pending row of its key is not in this claim (leased by another
/// dispatcher, locked by a concurrent claim, or waiting for its retry backoff), so a key is sent by one dispatcher
/// at a time, in id order.
/// </remarks>
internal sealed class OutboxClaimer(IOptions<OutboxOptions> options, TimeProvider time)
{
    private const string PostgresProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private readonly OutboxOptions _options = options.Value;

    public static bool IsPostgres(DbContext db) => db.Database.ProviderName == PostgresProvider;

    /// <summary>Claims up to <see cref="OutboxOptions.BatchSize"/> rows for <paramref name="owner"/>; returns them in id order.</summary>
    public async Task<List<OutboxMessage>> ClaimAsync(DbContext db, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        DateTime? until = now.AddMilliseconds(_options.LeaseMs);
        var outbox = db.Set<OutboxMessage>();
        List<long> kept;
        // SQLite's claim transaction takes the database's single write lock: look with a plain read first, so
        // an idle dispatcher never blocks the application's or the inbox's writes.
        if (!IsPostgres(db) && !await outbox.AnyAsync(m => m.Status == OutboxStatus.Pending && (m.NotBefore == null || m.NotBefore <= now)
                && (m.LeaseUntil == null || m.LeaseUntil <= now), cancellationToken).ConfigureAwait(false))
            return [];
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var candidates = IsPostgres(db)
                ? await PostgresCandidatesAsync(db, now, cancellationToken).ConfigureAwait(false)
                : await outbox.AsNoTracking()
                    .Where(m => m.Status == OutboxStatus.Pending && (m.NotBefore == null || m.NotBefore <= now) && (m.LeaseUntil == null || m.LeaseUntil <= now))
                    .OrderBy(m => m.Id).Take(_options.BatchSize)
                    .Select(m => new Candidate { Id = m.Id, PartitionKey = m.PartitionKey })
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (candidates.Count == 0) return [];

            kept = await KeepInKeyOrderAsync(outbox, candidates, now, cancellationToken).ConfigureAwait(false);
            if (kept.Count > 0)
                await outbox.Where(m => kept.Contains(m.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, owner).SetProperty(m => m.LeaseUntil, until), cancellationToken)
                    .ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (kept.Count == 0) return [];
        return await outbox.AsNoTracking().Where(m => kept.Contains(m.Id)).OrderBy(m => m.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<List<Candidate>> PostgresCandidatesAsync(DbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var t = OutboxTableNames.For(db);
        var sql =
            $"SELECT {t[nameof(OutboxMessage.Id)]} AS \"Id\", {t[nameof(OutboxMessage.PartitionKey)]} AS \"PartitionKey\" FROM {t.Table} " +
            $"WHERE {t[nameof(OutboxMessage.Status)]} = {{0}} " +
            $"AND ({t[nameof(OutboxMessage.NotBefore)]} IS NULL OR {t[nameof(OutboxMessage.NotBefore)]} <= {{1}}) " +
            $"AND ({t[nameof(OutboxMessage.LeaseUntil)]} IS NULL OR {t[nameof(OutboxMessage.LeaseUntil)]} <= {{1}}) " +
            $"ORDER BY {t[nameof(OutboxMessage.Id)]} LIMIT {{2}} FOR UPDATE SKIP LOCKED";
        return db.Database.SqlQueryRaw<Candidate>(sql, nameof(OutboxStatus.Pending), now, _options.BatchSize)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Keeps keyless candidates, and keyed ones with no earlier due Pending row of their key outside this claim.</summary>
    private static async Task<List<long>> KeepInKeyOrderAsync(DbSet<OutboxMessage> outbox, List<Candidate> candidates, DateTime now, CancellationToken cancellationToken)
    {
        var keys = candidates.Where(c => c.PartitionKey is not null).Select(c => c.PartitionKey!).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) return candidates.ConvertAll(c => c.Id);
        var ids = candidates.ConvertAll(c => c.Id);
        var maxId = ids.Max();
        var firstOutside = await outbox.AsNoTracking()
            .Where(m => m.Status == OutboxStatus.Pending && m.PartitionKey != null && keys.Contains(m.PartitionKey)
                && m.Id < maxId && !ids.Contains(m.Id) && (m.NotBefore == null || m.NotBefore <= now))
            .GroupBy(m => m.PartitionKey!)
            .Select(g => new { Key = g.Key, First = g.Min(m => m.Id) })
            .ToDictionaryAsync(g => g.Key, g => g.First, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        return candidates
            .Where(c => c.PartitionKey is null || !firstOutside.TryGetValue(c.PartitionKey, out var first) || c.Id < first)
            .Select(c => c.Id).ToList();
    }

    /// <summary>A claimable row's id and key (raw SQL result shape).</summary>
    internal sealed class Candidate
    {
        public long Id { get; set; }
        public string? PartitionKey { get; set; }
    }
}
