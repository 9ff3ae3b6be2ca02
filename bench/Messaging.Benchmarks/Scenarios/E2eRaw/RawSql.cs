using Messaging.Benchmarks.E2e;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Every statement of the raw twin. Each is one statement (or one batch) per round trip, with no BEGIN/COMMIT of its
/// own: a single statement, or the statements of one NpgsqlBatch (one Sync), is one transaction in PostgreSQL.
/// </summary>
internal static class RawSql
{
    /// <summary>The handler's name in the inbox key (message id, handler).</summary>
    public const string Handler = "apply-order";

    /// <summary>The business tables of every contender plus the raw outbox and inbox.</summary>
    public const string Ddl = E2eMapping.PostgresDdl + """
        CREATE TABLE raw_outbox (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id uuid NOT NULL, partition_key text NOT NULL,
            body bytea NOT NULL, sent_at timestamp with time zone);
        CREATE INDEX raw_outbox_unsent ON raw_outbox (id) WHERE sent_at IS NULL;
        CREATE TABLE raw_inbox (message_id uuid NOT NULL, handler text NOT NULL, PRIMARY KEY (message_id, handler));
        """;

    /// <summary>Between rounds. No RESTART IDENTITY: the publisher may still mark ids of the last round, which then match nothing.</summary>
    public const string Truncate = $"TRUNCATE {E2eModel.OrdersTable}, {E2eModel.AppliedTable}, raw_outbox, raw_inbox;";

    /// <summary>One order: the business row and its outbox row in one statement, so one transaction and one round trip.</summary>
    public const string Place = $"""
        WITH o AS (INSERT INTO {E2eModel.OrdersTable} (id, seq, customer_id, amount, placed_at) VALUES ($1, $2, $3, $4, $5))
        INSERT INTO raw_outbox (message_id, partition_key, body) VALUES ($6, $3, $7)
        """;

    /// <summary>First of the publisher's batch: marks the rows the broker confirmed in the previous cycle.</summary>
    public const string MarkSent = "UPDATE raw_outbox SET sent_at = now() WHERE id = ANY($1)";

    /// <summary>Second of the publisher's batch: the next unsent rows in commit-id order (one key's rows are in its order).</summary>
    public const string Claim = "SELECT id, message_id, partition_key, body FROM raw_outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1";

    /// <summary>
    /// A consumer batch: inbox rows for every message, and the handler's row only for those whose inbox row is new
    /// (a duplicate is skipped), in the batch's order (the identity follows the sorted SELECT), in one statement.
    /// </summary>
    public const string Apply = $"""
        WITH m AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[]) WITH ORDINALITY AS m(message_id, order_id, seq, customer_id, ord)),
        fresh AS (
            INSERT INTO raw_inbox (message_id, handler) SELECT message_id, '{Handler}' FROM m ON CONFLICT DO NOTHING RETURNING message_id)
        INSERT INTO {E2eModel.AppliedTable} (order_id, seq, customer_id, applied_at_ticks)
        SELECT m.order_id, m.seq, m.customer_id, $5 FROM m JOIN fresh USING (message_id) ORDER BY m.ord
        """;
}
