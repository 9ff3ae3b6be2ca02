using Microsoft.EntityFrameworkCore;
using Messaging.Tests.Containers;
using Npgsql;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>
/// A uniquely named database on a real PostgreSQL server: <c>MESSAGING_POSTGRES</c> if set, else the test run's
/// container, else the local server started by <c>eng/postgres.sh</c> (the choice is <see cref="PostgresServer"/>'s).
/// </summary>
public sealed class PostgresDatabase : TestDatabase
{
    private NpgsqlConnectionStringBuilder _server = new();

    public PostgresDatabase(Xunit.Abstractions.IMessageSink sink) => DockerEngine.ReportTo(sink);

    public string Name { get; } = "messaging_outbox_tests_" + Guid.NewGuid().ToString("N");

    /// <summary>Set when the fixture initializes (the server may be a container that starts then).</summary>
    public string ConnectionString { get; private set; } = "";
    public override string Provider => "PostgreSQL";

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    /// <summary>PostgreSQL shows lock waits in <c>pg_stat_activity</c>: completes once a session of this database waits
    /// for a lock (the test's database has no other sessions that could).</summary>
    public override Task<LockWatch> WatchLockWaitAsync(ShopContext db) =>
        Task.FromResult(new LockWatch(Wait.UntilAsync(HasLockWaiterAsync, "a session of the test database waiting for a lock")));

    private async Task<bool> HasLockWaiterAsync()
    {
        await using var db = CreateContext();
        return await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            .SingleAsync() > 0;
    }

    protected override async Task CreateDatabaseAsync()
    {
        _server = new NpgsqlConnectionStringBuilder(await PostgresServer.ConnectionStringAsync());
        ConnectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = Name }.ToString();
        await OnServerAsync($"CREATE DATABASE {Name}");
    }

    protected override async Task DropDatabaseAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await OnServerAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private async Task OnServerAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
