using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The library upgraded without its migration: a messaging table lacks a column this version writes. The host
/// refuses to start, naming the table, the column and the fix, before any message is consumed. (A database of its own:
/// the column stays dropped.)</summary>
public abstract class SchemaCheckScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task A_table_missing_a_column_stops_the_host_at_start_naming_it()
    {
        var host = await HostAsync(); // the tables as the model maps them: it starts
        await host.StopAsync();
        await using (var db = Database.CreateContext())
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE messaging_dead_letters DROP COLUMN last_redrive_job_id");

        var upgraded = await HostAsync(start: false);
        var ex = await Assert.ThrowsAsync<MessagingException>(() => upgraded.StartAsync());
        Assert.Contains("messaging_dead_letters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("last_redrive_job_id", ex.Message, StringComparison.Ordinal);
        Assert.Contains("add a migration", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteSchemaCheckTests(SqliteDatabase database, ITestOutputHelper output) : SchemaCheckScenarios<SqliteDatabase>(database, output);

public sealed class PostgresSchemaCheckTests(PostgresDatabase database, ITestOutputHelper output) : SchemaCheckScenarios<PostgresDatabase>(database, output);
