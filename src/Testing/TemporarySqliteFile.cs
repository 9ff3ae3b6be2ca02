using Microsoft.Data.Sqlite;

namespace Messaging.Testing;

/// <summary>A SQLite database file in the temp folder for one test, deleted on dispose with its WAL and shared-memory
/// files (dispose it after the host that uses it).</summary>
public sealed class TemporarySqliteFile : IDisposable
{
    /// <summary>Names a new file <c>&lt;temp&gt;/&lt;prefix&gt;-&lt;12 hex digits&gt;.db</c>; nothing is created until SQLite opens it.</summary>
    /// <param name="prefix">Start of the file name, e.g. the test's subject.</param>
    public TemporarySqliteFile(string prefix) => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Names.Unique(prefix) + ".db");

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary><c>Data Source=&lt;Path&gt;</c>, for <c>UseSqlite</c>.</summary>
    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Clears SQLite's connection pools and deletes the file with its <c>-wal</c>, <c>-shm</c> and <c>-journal</c>
    /// files; a file still open elsewhere is left in the temp folder (never throws for it).</summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // pooled connections keep the file open
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
        {
            try { File.Delete(file); }
            catch (IOException) { /* still open somewhere: the temp folder keeps it */ }
        }
    }
}
