using Messaging.Outbox.Dispatch;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Renamed tables in their own schema, created the way a migration creates them (not EnsureCreated):
/// the dispatcher's claim, mark and retention find them through the model.</summary>
public abstract class SchemaScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Renamed_tables_created_by_migration_operations_work_with_the_dispatcher()
    {
        var builder = new DbContextOptionsBuilder<RenamedTablesContext>();
        Database.Configure(builder);
        await using var db = new RenamedTablesContext(builder.Options);
        var model = db.GetService<IDesignTimeModel>().Model;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        Output.WriteLine(string.Join("\n", commands.Select(c => c.CommandText)));
        await db.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, db.GetService<IRelationalConnection>());

        // No provider-specific surprise in what a migration snapshot would record: only the generated keys' value generation.
        var providerAnnotations = model.GetEntityTypes().SelectMany(e => e.GetProperties())
            .SelectMany(p => p.GetAnnotations().Where(a => a.Name.StartsWith("Npgsql:", StringComparison.Ordinal) || a.Name.StartsWith("Sqlite:", StringComparison.Ordinal))
                .Select(a => $"{p.DeclaringType.ClrType.Name}.{p.Name} {a.Name}"))
            .ToList();
        Assert.All(providerAnnotations, a => Assert.True(a.StartsWith("OutboxMessage.Id ", StringComparison.Ordinal)
            || a.StartsWith("DeadLetter.Id ", StringComparison.Ordinal) || a.StartsWith("RedriveJob.Id ", StringComparison.Ordinal), a));
        Assert.Contains(commands, c => c.CommandText.Contains("app_dead_letters", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.CommandText.Contains("app_redrive_jobs", StringComparison.Ordinal));

        for (var i = 0; i < 3; i++)
            db.Add(OutboxRows.ToRow(new Envelope { MessageId = $"x-{i}", MessageType = "t", Destination = "d", PartitionKey = "k" }));
        await db.SaveChangesAsync();
        var options = Options.Create(new OutboxOptions { SentRetentionMs = 1_000 });
        var claimed = await new OutboxClaimer(options, TimeProvider.System).ClaimAsync(db, "me", [], new ClaimScope([], IncludesNull: true, null), CancellationToken.None);
        Assert.Equal(["x-0", "x-1", "x-2"], claimed.Select(r => r.MessageId));
        var result = new OutboxSendResult();
        result.Sent.AddRange(claimed);
        await new OutboxMarker(options, TimeProvider.System, NullLogger<OutboxMarker>.Instance).RecordAsync(db, "me", result, CancellationToken.None);
        Assert.Equal(3, await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent && m.LeaseOwner == "me"));
        var later = new FixedTime(DateTimeOffset.UtcNow.AddMinutes(1));
        await new OutboxRetention(options, later, NullLogger<OutboxRetention>.Instance).RunAsync(db, CancellationToken.None);
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync());
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>A context whose messaging tables have other names, in schema <c>msg</c> (ignored by SQLite).</summary>
public sealed class RenamedTablesContext(DbContextOptions<RenamedTablesContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddMessagingTables(schema: Database.IsNpgsql() ? "msg" : null, outboxTable: "app_outbox", inboxTable: "app_inbox", redeliveriesTable: "app_redeliveries",
            deadLettersTable: "app_dead_letters", redriveJobsTable: "app_redrive_jobs");
}

public sealed class SqliteSchemaTests(SqliteDatabase database, ITestOutputHelper output)
    : SchemaScenarios<SqliteDatabase>(database, output);

public sealed class PostgresRenamedSchemaTests(PostgresDatabase database, ITestOutputHelper output)
    : SchemaScenarios<PostgresDatabase>(database, output);
