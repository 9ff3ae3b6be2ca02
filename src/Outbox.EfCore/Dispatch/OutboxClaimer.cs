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
/// auto-committed). What differs per database is the <see cref="OutboxDialect"/>'s: PostgreSQL reads candidates with
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
        var rows = await outbox.FromSqlRaw(ClaimSql(db, dialect, skipConfirmed, scope, parameters), [.. parameters])
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

    /// <summary>Parameters: {0} Pending, {1} now, {2} most rows, {3} owner, {4} lease until, {5} confirmed ids (bigint[],
    /// only with <paramref name="skipConfirmed"/>), then the scope's transport names (added here).</summary>
    private static string ClaimSql(DbContext db, OutboxDialect dialect, bool skipConfirmed, ClaimScope scope, List<object> parameters)
    {
        var t = OutboxTableNames.For(db);
        string id = t[nameof(OutboxMessage.Id)], key = t[nameof(OutboxMessage.PartitionKey)], status = t[nameof(OutboxMessage.Status)],
            notBefore = t[nameof(OutboxMessage.NotBefore)], leaseUntil = t[nameof(OutboxMessage.LeaseUntil)];
        var lockClause = dialect.CandidateLock;
        return
            $"WITH candidates AS MATERIALIZED (SELECT {id}, {key} FROM {t.Table} " +
            $"WHERE {status} = {{0}} AND ({notBefore} IS NULL OR {notBefore} <= {{1}}) AND ({leaseUntil} IS NULL OR {leaseUntil} <= {{1}})" +
            TransportClause(scope, t[nameof(OutboxMessage.Transport)], parameters) + " " +
            $"ORDER BY {id} LIMIT {{2}}{lockClause}) " +
            $"UPDATE {t.Table} SET {t[nameof(OutboxMessage.LeaseOwner)]} = {{3}}, {leaseUntil} = {{4}} " +
            $"WHERE {id} IN (SELECT c.{id} FROM candidates c WHERE c.{key} IS NULL OR NOT EXISTS (" +
            $"SELECT 1 FROM {t.Table} e WHERE e.{status} = {{0}} AND e.{key} = c.{key} AND e.{id} < c.{id} " +
            $"AND (e.{notBefore} IS NULL OR e.{notBefore} <= {{1}}) AND e.{id} NOT IN (SELECT {id} FROM candidates)" +
            (skipConfirmed ? $" AND e.{id} <> ALL({{5}})" : "") + ")) " +
            "RETURNING *";
    }

    /// <summary>The candidates' transport condition; a row of another transport still holds later rows of its key back
    /// through the per-key rule, so order per key holds across transports.</summary>
    private static string TransportClause(ClaimScope scope, string column, List<object> parameters)
    {
        var names = string.Join(", ", scope.Names.Select(name =>
        {
            parameters.Add(name);
            return $"{{{parameters.Count - 1}}}";
        }));
        var match = names.Length == 0 ? "" : $"LOWER({column}) IN ({names})";
        if (!scope.IncludesNull) return $" AND {column} IS NOT NULL AND {match}";
        return match.Length == 0 ? $" AND {column} IS NULL" : $" AND ({column} IS NULL OR {match})";
    }
}
