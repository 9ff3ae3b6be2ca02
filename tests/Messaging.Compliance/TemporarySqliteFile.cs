using Microsoft.Data.Sqlite;

namespace Messaging.Compliance;

/// <summary>A SQLite database file in the temp folder for one test, deleted on dispose with its WAL and shared-memory
/// files (dispose it after the host that uses it).</summary>
public sealed class TemporarySqliteFile : IDisposable
{
    public TemporarySqliteFile(string prefix) => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Names.Unique(prefix) + ".db");

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

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
