using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Outage;

/// <summary>A fresh database for one outage run: a SQLite file (WAL), or a uniquely named database on the test run's
/// PostgreSQL server (the caller passes it: tests/Containers/PostgresServer chooses between MESSAGING_POSTGRES, the
/// run's container and the local server). Dropped on dispose.</summary>
public sealed class OutageDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly NpgsqlConnectionStringBuilder? _server;
    private readonly string _connectionString;

    private OutageDatabase(string name, string connectionString, string? directory, NpgsqlConnectionStringBuilder? server)
    {
        Name = name;
        _connectionString = connectionString;
        _directory = directory;
        _server = server;
    }

    public string Name { get; }

    public bool IsPostgres => _server is not null;

    /// <summary>Where the database lives: the PostgreSQL server's host and port, or the SQLite folder.</summary>
    public string Location => _server is { } server ? $"{server.Host}:{server.Port}" : _directory ?? "";

    public static OutageDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "messaging-outage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "orders.db"), DefaultTimeout = 30 }.ToString();
        return new OutageDatabase("SQLite", cs, directory, null);
    }

    /// <param name="serverConnectionString">The server, as an Npgsql connection string without <c>Database</c>.</param>
    public static OutageDatabase Postgres(string serverConnectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString);
        var name = "messaging_outage_" + Guid.NewGuid().ToString("N")[..12];
        return new OutageDatabase("PostgreSQL", new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ToString(), null, server);
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres) options.UseNpgsql(_connectionString);
        else options.UseSqlite(_connectionString);
    }

    public OutageDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<OutageDbContext>();
        Configure(builder);
        return new OutageDbContext(builder.Options);
    }

    public async Task CreateAsync()
    {
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
        if (!IsPostgres) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(_connectionString).Database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(_directory, recursive: true); }
            catch (IOException) { /* a file still open: the temp folder keeps it */ }
        }
    }
}
