using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>
/// A uniquely named database on a real PostgreSQL server: <c>MESSAGING_POSTGRES</c> if set, else the local
/// server started by <c>eng/postgres.sh</c>.
/// </summary>
public sealed class PostgresDatabase : TestDatabase
{
    private const string LocalServer = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
    private readonly NpgsqlConnectionStringBuilder _server = new(Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") ?? LocalServer);

    public PostgresDatabase()
    {
        Name = "messaging_outbox_tests_" + Guid.NewGuid().ToString("N");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = Name }.ToString();
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public override string Provider => "PostgreSQL";

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public override async Task<bool> HasLockWaiterAsync()
    {
        await using var db = CreateContext();
        return await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            .SingleAsync() > 0;
    }

    protected override Task CreateDatabaseAsync() => OnServerAsync($"CREATE DATABASE {Name}");

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
