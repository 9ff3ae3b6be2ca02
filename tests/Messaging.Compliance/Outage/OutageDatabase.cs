using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Messaging.Compliance.Outage;

/// <summary>A fresh database for one outage run: a SQLite file (WAL), or a uniquely named database on the PostgreSQL in
/// MESSAGING_POSTGRES (else the local one eng/postgres.sh starts). Dropped on dispose.</summary>
public sealed class OutageDatabase : IAsyncDisposable
{
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
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

    public static OutageDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "messaging-outage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "orders.db"), DefaultTimeout = 30 }.ToString();
        return new OutageDatabase("SQLite", cs, directory, null);
    }

    public static OutageDatabase Postgres()
    {
        var server = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") ?? LocalPostgres);
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
