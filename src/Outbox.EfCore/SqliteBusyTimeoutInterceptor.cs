using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Messaging.Outbox;

/// <summary>
/// Sets SQLite's <c>PRAGMA busy_timeout</c> on every opened SQLite connection of the outbox's DbContext.
/// The application, the dispatcher's claim and the inbox all write, and SQLite has one writer: without a
/// busy timeout SQLite answers <c>SQLITE_BUSY</c> at once and Microsoft.Data.Sqlite retries only after a
/// coarse sleep, which stalls every writer; with it, SQLite waits for the lock in short steps itself.
/// Other providers are left alone.
/// </summary>
internal sealed class SqliteBusyTimeoutInterceptor : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000;"; // ms; matches Microsoft.Data.Sqlite's default command timeout

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!IsSqlite(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!IsSqlite(connection)) return;
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragma;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsSqlite(DbConnection connection) => connection.GetType().FullName == "Microsoft.Data.Sqlite.SqliteConnection";
}
