using Messaging.Handling;
using Messaging.Outbox.Dialects;
using Messaging.Outbox.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Outbox.Inbox;

/// <summary>
/// <see cref="IDeliveryLedger"/> on the inbox's database: a redelivered message whose handlers all have an inbox row
/// is reported as handled (0); otherwise one upsert (<c>INSERT ... ON CONFLICT DO UPDATE ... RETURNING</c>, PostgreSQL
/// and SQLite 3.35+) counts this delivery in <see cref="RedeliveryRecord"/> and returns the count. Two round trips,
/// only for redeliveries.
/// </summary>
internal sealed class DeliveryLedger<TContext>(IServiceScopeFactory scopes, TimeProvider time) : IDeliveryLedger where TContext : DbContext
{
    public async Task<int> RecordRedeliveryAsync(string endpoint, string messageId, IReadOnlyList<string> handlers, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var handled = await db.Set<InboxRecord>().AsNoTracking()
                .CountAsync(r => r.MessageId == messageId && handlers.Contains(r.HandlerName), cancellationToken).ConfigureAwait(false);
            if (handled >= handlers.Count) return 0;
            var sql = OutboxDialect.RedeliveryUpsertSql(OutboxTableNames.ForRedeliveries(db));
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = sql;
                    Add(command, "endpoint", endpoint);
                    Add(command, "message_id", messageId);
                    Add(command, "now", time.GetUtcNow().UtcDateTime);
                    return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Add(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
