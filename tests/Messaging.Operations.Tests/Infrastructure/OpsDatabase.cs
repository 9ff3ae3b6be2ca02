using Messaging.Tests.Containers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>A real database for one test class: a SQLite file, or a database of its own on the run's PostgreSQL.</summary>
public abstract class OpsDatabase
{
    public abstract string Provider { get; }
    public string ConnectionString { get; protected set; } = "";

    public abstract Task CreateAsync();
    public abstract Task DropAsync();
    public abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>What the CLI is given to find this database.</summary>
    public string[] CliArguments => ["--connection", ConnectionString, "--provider", Provider];

    public OpsContext Open()
    {
        var options = new DbContextOptionsBuilder<OpsContext>();
        Configure(options);
        return new OpsContext(options.Options);
    }

    protected async Task CreateSchemaAsync()
    {
        await using var db = Open();
        await db.Database.EnsureCreatedAsync();
    }
}

public sealed class SqliteOpsDatabase : OpsDatabase
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "messaging-ops-tests", Guid.NewGuid().ToString("N"));

    public override string Provider => "sqlite";

    public override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public override async Task CreateAsync()
    {
        Directory.CreateDirectory(_directory);
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "ops.db"), DefaultTimeout = 30 }.ToString();
        await CreateSchemaAsync();
        await using var db = Open();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    public override Task DropAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { /* best effort */ }
        return Task.CompletedTask;
    }
}

public sealed class PostgresOpsDatabase : OpsDatabase
{
    private readonly string _name = "messaging_ops_tests_" + Guid.NewGuid().ToString("N");
    private string _server = "";

    public override string Provider => "postgres";

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public override async Task CreateAsync()
    {
        _server = await PostgresServer.ConnectionStringAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ToString();
        await OnServerAsync($"CREATE DATABASE {_name}");
        await CreateSchemaAsync();
    }

    public override async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await OnServerAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private async Task OnServerAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
