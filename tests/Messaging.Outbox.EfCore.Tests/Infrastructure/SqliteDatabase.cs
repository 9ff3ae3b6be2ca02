using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>A SQLite file in a temp directory, in WAL mode, with a busy timeout on every connection.</summary>
public sealed class SqliteDatabase : TestDatabase
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "messaging-outbox-tests", Guid.NewGuid().ToString("N"));
    private readonly string _connectionString;

    public SqliteDatabase()
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_directory, "shop.db"),
            DefaultTimeout = 30,
        }.ToString();
    }

    public override string Provider => "SQLite";

    public override void Configure(DbContextOptionsBuilder options) =>
        options.UseSqlite(_connectionString).AddInterceptors(BusyTimeout.Instance);

    protected override Task CreateDatabaseAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    protected override async Task AfterSchemaCreatedAsync(ShopContext db) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* best effort */ }
        return Task.CompletedTask;
    }

    /// <summary>SQLite calls a connection's busy handler while a lock it needs is held by another connection: opens
    /// <paramref name="db"/>'s connection (the context keeps it open) and puts a handler on it that reports the first
    /// call, then waits as the busy timeout would (up to 30 s). Disposing the watch puts the busy timeout back, before
    /// the connection returns to the pool.</summary>
    public override async Task<LockWatch> WatchLockWaitAsync(ShopContext db)
    {
        await db.Database.OpenConnectionAsync(); // after the interceptors' busy_timeout, which the handler replaces
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SqliteBusyHandler.Callback handler = (_, count) =>
        {
            waiting.TrySetResult();
            Thread.Sleep(10);
            return count < 3_000 ? 1 : 0; // 1: try the lock again; 0: give up with SQLITE_BUSY
        };
        SqliteBusyHandler.Set(connection, handler);
        return new LockWatch(waiting.Task, () =>
        {
            SqliteBusyHandler.Reset(connection, TimeSpan.FromSeconds(30));
            GC.KeepAlive(handler); // native code held only a pointer to it until now
        });
    }

    private sealed class BusyTimeout : DbConnectionInterceptor
    {
        public static readonly BusyTimeout Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 10000;";
            command.ExecuteNonQuery();
        }
    }
}
