using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Testing.Outages;

/// <summary>A fresh database for one outage run, created by <see cref="CreateAsync"/> and dropped on dispose: a temporary
/// SQLite file (<see cref="Sqlite"/>, journal mode WAL), or any EF Core provider through the constructor (the repository's
/// own tests pass a PostgreSQL database this way).</summary>
/// <param name="name">The database's kind, for test output (e.g. "SQLite").</param>
/// <param name="location">Where it lives (a folder, or a server's host and port), for test output.</param>
/// <param name="configure">Configures a <see cref="OutageDbContext"/>'s provider and connection.</param>
/// <param name="drop">Removes the database; called once by <see cref="DisposeAsync"/>.</param>
public sealed class OutageDatabase(string name, string location, Action<DbContextOptionsBuilder> configure, Func<ValueTask> drop) : IAsyncDisposable
{
    /// <summary>The database's kind, e.g. "SQLite".</summary>
    public string Name { get; } = name;

    /// <summary>Where the database lives: a folder, or a server's host and port.</summary>
    public string Location { get; } = location;

    /// <summary>A SQLite file in a new folder under the temporary directory (busy timeout 30 s); the folder is deleted on
    /// dispose.</summary>
    public static OutageDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "messaging-outage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "orders.db"), DefaultTimeout = 30 }.ToString();
        return new OutageDatabase("SQLite", directory, options => options.UseSqlite(connectionString), () =>
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { /* a file still open: the temporary directory keeps it */ }
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Configures <paramref name="options"/> for this database (for <c>AddDbContext</c>).</summary>
    /// <param name="options">The options builder of an <see cref="OutageDbContext"/>.</param>
    public void Configure(DbContextOptionsBuilder options) => configure(options);

    /// <summary>A new context on this database; the caller disposes it.</summary>
    public OutageDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<OutageDbContext>();
        configure(builder);
        return new OutageDbContext(builder.Options);
    }

    /// <summary>Creates the tables (<c>EnsureCreated</c>); on SQLite also switches the file to WAL, so the dispatcher's
    /// reads do not wait for the writers.</summary>
    public async Task CreateAsync()
    {
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    /// <summary>Drops the database.</summary>
    public ValueTask DisposeAsync() => drop();
}
