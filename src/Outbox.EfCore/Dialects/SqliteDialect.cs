using System.Data.Common;

namespace Messaging.Outbox.Dialects;

/// <summary>
/// SQLite: one writer at a time. Every connection gets <c>PRAGMA busy_timeout</c>: the application, the dispatcher's claim
/// and the inbox all write, and without a busy timeout SQLite answers <c>SQLITE_BUSY</c> at once and
/// Microsoft.Data.Sqlite retries only after a coarse sleep, which stalls every writer; with it, SQLite waits for the
/// lock in short steps itself.
/// </summary>
internal sealed class SqliteDialect : OutboxDialect
{
    public static readonly SqliteDialect Instance = new();
    private const string BusyTimeout = "PRAGMA busy_timeout = 30000;"; // ms; matches Microsoft.Data.Sqlite's default command timeout

    public override string Name => "SQLite";

    public override void ConnectionOpened(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = BusyTimeout;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = BusyTimeout;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
