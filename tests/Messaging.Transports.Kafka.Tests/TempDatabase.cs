using Microsoft.Data.Sqlite;

namespace Messaging.Kafka.Tests;

/// <summary>A SQLite file in the temp folder for one test, deleted with its WAL and shared-memory files when disposed.</summary>
internal sealed class TempDatabase(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Messaging.Testing.Names.Unique(prefix) + ".db");

    public string ConnectionString => $"Data Source={Path}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // pooled connections keep the file open
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(Path + suffix);
    }
}
