using Messaging.Outbox.Schema;

namespace Messaging.Outbox.Dialects;

/// <summary>The outbox's hand-written statements, in one place: standard SQL that PostgreSQL and SQLite (3.35+) both run,
/// with this dialect's fragments (<see cref="CandidateLock"/>, <see cref="IdsIn"/>) and parameter style
/// (<see cref="Parameters"/>). Table and column names come from the application's model (<see cref="OutboxTableNames"/>),
/// so custom names keep working. Callers build each statement once per model where its text does not vary.</summary>
internal partial class OutboxDialect
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Create, string RollBack)> SavepointStatements = new(StringComparer.Ordinal);

    /// <summary><c>SAVEPOINT name</c>, made once per name (the inbox's names, <c>messaging_inbox_&lt;position&gt;</c>, repeat).</summary>
    public static string SavepointSql(string name) => Savepoint(name).Create;

    /// <summary><c>ROLLBACK TO SAVEPOINT name</c>, made once per name.</summary>
    public static string RollbackToSavepointSql(string name) => Savepoint(name).RollBack;

    private static (string Create, string RollBack) Savepoint(string name) =>
        SavepointStatements.GetOrAdd(name, static n => ("SAVEPOINT " + n, "ROLLBACK TO SAVEPOINT " + n));

    /// <summary>
    /// The dispatcher's claim: up to a batch of due Pending rows in id order, each leased to an owner unless an earlier
    /// Pending row of its key is due and not itself a candidate (per-key order); returns the claimed rows (in no order).
    /// For <c>FromSqlRaw</c>: {0} Pending, {1} now, {2} most rows, {3} owner, {4} lease until, {5} the ids (bigint[]) whose
    /// Sent mark is still being written (only with <paramref name="skipConfirmed"/>); <paramref name="transportCondition"/>
    /// (which transports' rows, starting with <c>AND</c>) uses the indexes after those.
    /// </summary>
    public string ClaimSql(OutboxTableNames t, string transportCondition, bool skipConfirmed) =>
        Claim(t, ("{0}", "{1}", "{3}", "{4}"), transportCondition, " LIMIT {2}",
            skipConfirmed ? $" AND e.{t[nameof(OutboxMessage.Id)]} <> ALL({{5}})" : "", "*");

    /// <summary>The same claim restricted to <paramref name="count"/> given rows (a writer publishing the rows it just
    /// committed), returning only the ids it got. Values, through <see cref="Add"/> and <see cref="AddIds"/> in this
    /// order: Pending, now, owner, lease until, the ids.</summary>
    public string ClaimRowsSql(OutboxTableNames t, int count) => Parameters(
        Claim(t, ("@pending", "@now", "@owner", "@until"), " AND " + IdsIn(t[nameof(OutboxMessage.Id)], count), "", "", t[nameof(OutboxMessage.Id)]),
        "@pending", "@now", "@owner", "@until", "@ids");

    /// <summary>One <c>WITH candidates AS MATERIALIZED (SELECT … <see cref="CandidateLock"/>) UPDATE … RETURNING</c>: one
    /// round trip, atomic; the candidates' lock (PostgreSQL) makes concurrent claims skip each other's rows.</summary>
    private string Claim(OutboxTableNames t, (string Pending, string Now, string Owner, string Until) p, string candidates, string limit,
        string earlierExcept, string returning)
    {
        string id = t[nameof(OutboxMessage.Id)], key = t[nameof(OutboxMessage.PartitionKey)], status = t[nameof(OutboxMessage.Status)],
            notBefore = t[nameof(OutboxMessage.NotBefore)], leaseUntil = t[nameof(OutboxMessage.LeaseUntil)];
        return
            $"WITH candidates AS MATERIALIZED (SELECT {id}, {key} FROM {t.Table} " +
            $"WHERE {status} = {p.Pending} AND ({notBefore} IS NULL OR {notBefore} <= {p.Now}) AND ({leaseUntil} IS NULL OR {leaseUntil} <= {p.Now})" +
            $"{candidates} ORDER BY {id}{limit}{CandidateLock}) " +
            $"UPDATE {t.Table} SET {t[nameof(OutboxMessage.LeaseOwner)]} = {p.Owner}, {leaseUntil} = {p.Until} " +
            $"WHERE {id} IN (SELECT c.{id} FROM candidates c WHERE c.{key} IS NULL OR NOT EXISTS (" +
            $"SELECT 1 FROM {t.Table} e WHERE e.{status} = {p.Pending} AND e.{key} = c.{key} AND e.{id} < c.{id} " +
            $"AND (e.{notBefore} IS NULL OR e.{notBefore} <= {p.Now}) AND e.{id} NOT IN (SELECT {id} FROM candidates){earlierExcept})) " +
            $"RETURNING {returning}";
    }

    /// <summary>Marks <paramref name="count"/> confirmed rows Sent and ends their lease. Values, through <see cref="Add"/>
    /// and <see cref="AddIds"/> in this order: the Sent status, the time, the ids.</summary>
    public string SentSql(OutboxTableNames t, int count) => Parameters(
        $"UPDATE {t.Table} SET {t[nameof(OutboxMessage.Status)]} = @sent, {t[nameof(OutboxMessage.SentAt)]} = @at, " +
        $"{t[nameof(OutboxMessage.LeaseUntil)]} = NULL WHERE {IdsIn(t[nameof(OutboxMessage.Id)], count)}",
        "@sent", "@at", "@ids");

    /// <summary>Writes one inbox row, or nothing when (message id, handler) is there already (the row count says which).
    /// Values in this order: the message id, the handler, the time (both <c>received_at</c> and <c>processed_at</c>).</summary>
    public string InboxInsertSql(OutboxTableNames inbox)
    {
        string messageId = inbox[nameof(InboxRecord.MessageId)], handler = inbox[nameof(InboxRecord.HandlerName)];
        return Parameters(
            $"INSERT INTO {inbox.Table} ({messageId}, {handler}, {inbox[nameof(InboxRecord.ReceivedAt)]}, {inbox[nameof(InboxRecord.ProcessedAt)]}) " +
            $"VALUES (@message_id, @handler_name, @at, @at) ON CONFLICT ({messageId}, {handler}) DO NOTHING",
            "@message_id", "@handler_name", "@at");
    }

    /// <summary>Counts one more delivery of a message at an endpoint and returns the count (2 for the first redelivery).
    /// Named parameters: <c>@endpoint</c>, <c>@message_id</c>, <c>@now</c>.</summary>
    public static string RedeliveryUpsertSql(OutboxTableNames r)
    {
        string endpoint = r[nameof(RedeliveryRecord.Endpoint)], messageId = r[nameof(RedeliveryRecord.MessageId)],
            deliveries = r[nameof(RedeliveryRecord.Deliveries)], last = r[nameof(RedeliveryRecord.LastDeliveredAt)];
        return $"INSERT INTO {r.Table} AS r ({endpoint}, {messageId}, {deliveries}, {r[nameof(RedeliveryRecord.FirstRedeliveredAt)]}, {last}) " +
            "VALUES (@endpoint, @message_id, 2, @now, @now) " +
            $"ON CONFLICT ({endpoint}, {messageId}) DO UPDATE SET {deliveries} = r.{deliveries} + 1, {last} = @now RETURNING {deliveries}";
    }

    /// <summary>The claim's transport condition (starting with <c>AND</c>), its names added to <paramref name="parameters"/> for
    /// <c>FromSqlRaw</c>; a row of another transport still holds later rows of its key back
    /// through the per-key rule, so order per key holds across transports.</summary>
    public static string TransportCondition(Dispatch.ClaimScope scope, string column, List<object> parameters)
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
