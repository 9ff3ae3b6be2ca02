using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Messaging.Outbox.Dialects;

/// <summary>Lets the context's <see cref="OutboxDialect"/> prepare every connection the outbox's DbContext opens
/// (SQLite: the busy timeout).</summary>
internal sealed class DialectConnectionInterceptor : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (eventData.Context is { } db) OutboxDialect.For(db).ConnectionOpened(connection);
    }

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        eventData.Context is { } db ? OutboxDialect.For(db).ConnectionOpenedAsync(connection, cancellationToken) : Task.CompletedTask;
}
