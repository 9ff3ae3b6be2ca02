using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Claims a batch of due Pending rows for one dispatcher by setting their lease, in one statement that also returns
/// the claimed rows, so several instances can dispatch from one database without sending a row twice and without
/// breaking per-key order.
/// </summary>
/// <remarks>
/// One <c>WITH candidates AS MATERIALIZED (SELECT ...) UPDATE ... RETURNING *</c> statement (one round trip, atomic,
/// auto-committed). PostgreSQL: candidates are read with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claims never
/// wait on, nor take, each other's rows. SQLite: the statement holds the database's single write lock, so claims run
/// one at a time and each sees the leases of the previous one. Other providers are treated like SQLite, which is
/// safe only with one dispatcher unless the database serializes the statement.
/// Per key: a candidate is dropped when an earlier due Pending row of its key is not in this claim (leased by another
/// dispatcher, locked by a concurrent claim, or waiting for its retry backoff), so a key is sent by one dispatcher
/// at a time, in id order. The rule is a <c>NOT EXISTS</c> in the same statement: an index probe per keyed
/// candidate on (status, partition_key, id), no extra round trip.
/// </remarks>
internal sealed class OutboxClaimer(IOptions<OutboxOptions> options, TimeProvider time)
{
    private const string PostgresProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private readonly OutboxOptions _options = options.Value;

    public static bool IsPostgres(DbContext db) => db.Database.ProviderName == PostgresProvider;

    /// <summary>Claims up to <see cref="OutboxOptions.BatchSize"/> rows for <paramref name="owner"/>; returns them in id order.</summary>
    public Task<List<OutboxMessage>> ClaimAsync(DbContext db, string owner, CancellationToken cancellationToken) =>
        ClaimAsync(db, owner, [], ClaimScope.All, cancellationToken);

    /// <summary>As <see cref="ClaimAsync(DbContext, string, CancellationToken)"/>, for the rows of <paramref name="scope"/>;
    /// <paramref name="confirmed"/> are this dispatcher's rows the broker confirmed whose Sent mark is still being written
    /// (PostgreSQL only): they no longer hold their key back.</summary>
    public async Task<List<OutboxMessage>> ClaimAsync(DbContext db, string owner, IReadOnlyList<long> confirmed, ClaimScope scope, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now.AddMilliseconds(_options.LeaseMs);
        var outbox = db.Set<OutboxMessage>();
        // SQLite's claim statement takes the database's single write lock: look with a plain read first, so
        // an idle dispatcher never blocks the application's or the inbox's writes.
        if (!IsPostgres(db) && !await InScope(outbox.Where(m => m.Status == OutboxStatus.Pending && (m.NotBefore == null || m.NotBefore <= now)
                && (m.LeaseUntil == null || m.LeaseUntil <= now)), scope).AnyAsync(cancellationToken).ConfigureAwait(false))
            return [];
        var skipConfirmed = confirmed.Count > 0 && IsPostgres(db);
        var parameters = new List<object> { nameof(OutboxStatus.Pending), now, scope.Limit ?? _options.BatchSize, owner, until };
        if (skipConfirmed) parameters.Add(confirmed.ToArray());
        var rows = await outbox.FromSqlRaw(ClaimSql(db, skipConfirmed, scope, parameters), [.. parameters])
            .AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        rows.Sort((a, b) => a.Id.CompareTo(b.Id)); // RETURNING has no order
        return rows;
    }

    /// <summary>Pending rows of one transport (null: all), for the outage log lines.</summary>
    public static Task<int> CountPendingAsync(DbContext db, ClaimScope scope, CancellationToken cancellationToken) =>
        InScope(db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending), scope).CountAsync(cancellationToken);

#pragma warning disable CA1304, CA1311 // ToLower() here is SQL LOWER(), translated by the provider, not run in .NET
    private static IQueryable<OutboxMessage> InScope(IQueryable<OutboxMessage> rows, ClaimScope scope)
    {
        if (scope.Only is null && scope.Excluded.Count == 0) return rows;
        var names = scope.Names;
        if (scope.Only is not null)
            return scope.IncludesNull ? rows.Where(m => m.Transport == null || names.Contains(m.Transport.ToLower()))
                : rows.Where(m => m.Transport != null && names.Contains(m.Transport.ToLower()));
        return scope.IncludesNull ? rows.Where(m => m.Transport == null || !names.Contains(m.Transport.ToLower()))
            : rows.Where(m => m.Transport != null && !names.Contains(m.Transport.ToLower()));
    }
#pragma warning restore CA1304, CA1311

    /// <summary>Parameters: {0} Pending, {1} now, {2} most rows, {3} owner, {4} lease until, {5} confirmed ids (bigint[],
    /// only with <paramref name="skipConfirmed"/>), then the scope's transport names (added here).</summary>
    private static string ClaimSql(DbContext db, bool skipConfirmed, ClaimScope scope, List<object> parameters)
    {
        var t = OutboxTableNames.For(db);
        string id = t[nameof(OutboxMessage.Id)], key = t[nameof(OutboxMessage.PartitionKey)], status = t[nameof(OutboxMessage.Status)],
            notBefore = t[nameof(OutboxMessage.NotBefore)], leaseUntil = t[nameof(OutboxMessage.LeaseUntil)];
        var lockClause = IsPostgres(db) ? " FOR UPDATE SKIP LOCKED" : "";
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

    /// <summary>The candidates' transport condition; a row of an excluded transport still holds later rows of its key
    /// back through the per-key rule, so order per key holds across transports.</summary>
    private static string TransportClause(ClaimScope scope, string column, List<object> parameters)
    {
        if (scope.Only is null && scope.Excluded.Count == 0) return "";
        var names = string.Join(", ", scope.Names.Select(name =>
        {
            parameters.Add(name);
            return $"{{{parameters.Count - 1}}}";
        }));
        var match = scope.Only is null ? $"LOWER({column}) NOT IN ({names})" : $"LOWER({column}) IN ({names})";
        return scope.IncludesNull ? $" AND ({column} IS NULL OR {match})" : $" AND {column} IS NOT NULL AND {match}";
    }
}
