using Messaging.Hosting;
using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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

/// <summary>A database that does not answer at start-up is an outage, not a wrong schema: the host starts, says it could
/// not check the tables (event 4016), and the dispatcher and handlers wait for the database as before.</summary>
public sealed class UnreachableDatabaseSchemaCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_unreachable_database_does_not_stop_the_host_and_the_check_says_so()
    {
        var events = new List<int>();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory", ["Messaging:Endpoint"] = "schema-check" });
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output)).AddProvider(new EventIds(events));
        // Nothing listens on port 1: the connection is refused at once.
        builder.Services.AddDbContext<ShopContext>(o => o.UseNpgsql("Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=2"));
        builder.Services.AddMessaging(builder.Configuration).AddEntityFrameworkOutbox<ShopContext>();
        using var host = builder.Build();

        await host.StartAsync();
        lock (events) Assert.Contains(4016, events); // the dispatcher may log meanwhile
        await host.StopAsync();
    }

    private sealed class EventIds(List<int> events) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(events);
        public void Dispose() { }

        private sealed class Logger(List<int> events) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                lock (events) events.Add(eventId.Id);
            }
        }
    }
}
