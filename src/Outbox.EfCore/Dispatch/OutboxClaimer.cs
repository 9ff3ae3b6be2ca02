using Messaging.Outbox.Dialects;
using Messaging.Outbox.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// Claims a batch of due Pending rows for one dispatcher by setting their lease, in one statement that also returns
/// the claimed rows, so several instances can dispatch from one database without sending a row twice and without
/// breaking per-key order.
/// </summary>
/// <remarks>
/// One <c>WITH candidates AS MATERIALIZED (SELECT ...) UPDATE ... RETURNING *</c> statement (one round trip, atomic,
/// auto-committed), written in <see cref="OutboxDialect.ClaimSql"/>. What differs per database is the <see cref="OutboxDialect"/>'s: PostgreSQL reads candidates with
/// <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claims never wait on, nor take, each other's rows; on SQLite the
/// statement holds the database's single write lock, so claims run one at a time and each sees the leases of the
/// previous one. Other providers are treated like SQLite, which is safe only with one dispatcher unless the database
/// serializes the statement.
/// Per key: a candidate is dropped when an earlier due Pending row of its key is not in this claim (leased by another
/// dispatcher, locked by a concurrent claim, or waiting for its retry backoff), so a key is sent by one dispatcher
/// at a time, in id order. The rule is a <c>NOT EXISTS</c> in the same statement: an index probe per keyed
/// candidate on (status, partition_key, id), no extra round trip.
/// </remarks>
internal sealed class OutboxClaimer(IOptions<OutboxOptions> options, TimeProvider time)
{
    private readonly OutboxOptions _options = options.Value;

    /// <summary>Claims up to <see cref="OutboxOptions.BatchSize"/> rows of <paramref name="scope"/> for <paramref name="owner"/>
    /// and returns them in id order; <paramref name="confirmed"/> are this dispatcher's rows the broker confirmed whose Sent mark is still being written
    /// (PostgreSQL only): they no longer hold their key back.</summary>
    public async Task<List<OutboxMessage>> ClaimAsync(DbContext db, string owner, IReadOnlyList<long> confirmed, ClaimScope scope, CancellationToken cancellationToken)
    {
        if (scope.IsEmpty) return [];
        var now = time.GetUtcNow().UtcDateTime;
        var until = now.AddMilliseconds(_options.LeaseMs);
        var outbox = db.Set<OutboxMessage>();
        var dialect = OutboxDialect.For(db);
        // With one writer the claim statement takes the database's write lock: look with a plain read first, so an
        // idle dispatcher never blocks the application's or the inbox's writes.
        if (!dialect.ConcurrentWriters && !await InScope(outbox.Where(m => m.Status == OutboxStatus.Pending && (m.NotBefore == null || m.NotBefore <= now)
                && (m.LeaseUntil == null || m.LeaseUntil <= now)), scope).AnyAsync(cancellationToken).ConfigureAwait(false))
            return [];
        var skipConfirmed = confirmed.Count > 0 && dialect.ConcurrentWriters;
        var parameters = new List<object> { nameof(OutboxStatus.Pending), now, scope.Limit ?? _options.BatchSize, owner, until };
        if (skipConfirmed) parameters.Add(confirmed.ToArray());
        var t = OutboxTableNames.For(db);
        var rows = await outbox.FromSqlRaw(dialect.ClaimSql(t, OutboxDialect.TransportCondition(scope, t[nameof(OutboxMessage.Transport)], parameters), skipConfirmed), [.. parameters])
            .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        rows.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING has no order
        return rows;
    }

    /// <summary>Pending rows of <paramref name="scope"/>, for the outage log lines.</summary>
    public static Task<int> CountPendingAsync(DbContext db, ClaimScope scope, CancellationToken cancellationToken) =>
        InScope(db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending), scope).CountAsync(cancellationToken);

#pragma warning disable CA1304, CA1311 // ToLower() here is SQL LOWER(), translated by the provider, not run in .NET
    private static IQueryable<OutboxMessage> InScope(IQueryable<OutboxMessage> rows, ClaimScope scope)
    {
        var names = scope.Names;
        return scope.IncludesNull ? rows.Where(m => m.Transport == null || names.Contains(m.Transport.ToLower()))
            : rows.Where(m => m.Transport != null && names.Contains(m.Transport.ToLower()));
    }
#pragma warning restore CA1304, CA1311
}
