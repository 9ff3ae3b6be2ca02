using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The tables read plainly in SQL: snake_case names that need no quoting, status as text.</summary>
public sealed class PostgresSchemaTests(PostgresDatabase database, ITestOutputHelper output) : DatabaseTest<PostgresDatabase>(database, output)
{
    [Fact]
    public async Task Tables_have_snake_case_columns_and_text_status()
    {
        await using var db = Database.CreateContext();
        Output.WriteLine(db.Database.GenerateCreateScript());
        var columns = await db.Database.SqlQueryRaw<string>(
            "SELECT table_name || '.' || column_name || ' ' || data_type AS \"Value\" FROM information_schema.columns " +
            "WHERE table_name IN ('messaging_outbox', 'messaging_inbox') ORDER BY table_name, ordinal_position").ToListAsync();
        Assert.Equal(
        [
            "messaging_inbox.message_id character varying",
            "messaging_inbox.handler_name character varying",
            "messaging_inbox.received_at timestamp with time zone",
            "messaging_inbox.processed_at timestamp with time zone",
            "messaging_outbox.id bigint",
            "messaging_outbox.message_id character varying",
            "messaging_outbox.message_type character varying",
            "messaging_outbox.destination character varying",
            "messaging_outbox.partition_key character varying",
            "messaging_outbox.correlation_id character varying",
            "messaging_outbox.causation_id character varying",
            "messaging_outbox.headers text",
            "messaging_outbox.body bytea",
            "messaging_outbox.content_type character varying",
            "messaging_outbox.created_at timestamp with time zone",
            "messaging_outbox.transport character varying",
            "messaging_outbox.not_before timestamp with time zone",
            "messaging_outbox.attempts integer",
            "messaging_outbox.last_error text",
            "messaging_outbox.status character varying",
            "messaging_outbox.sent_at timestamp with time zone",
            "messaging_outbox.lease_owner character varying",
            "messaging_outbox.lease_until timestamp with time zone",
        ], columns);
        // plain SQL, no quoting
        var pending = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM messaging_outbox WHERE status = 'Pending' AND sent_at IS NULL").SingleAsync();
        Assert.Equal(0, pending);
    }
}
