using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Messaging.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Outbox.Schema;

/// <summary>
/// At host start (an <see cref="IStartupCheck"/>, before the transports prepare or consume): reads no rows of every messaging table with every column
/// <typeparamref name="TContext"/>'s model maps. A database that lacks a table or a column this version writes (the
/// library was upgraded without the migration that comes with it) stops the host with the table and the database's own
/// words naming what is missing, instead of every dead letter (or message) failing later while the broker redelivers it.
/// An unreachable database does not stop the host: that is an outage the dispatcher and the handlers wait out.
/// </summary>
internal sealed class MessagingSchemaCheck<TContext>(IServiceScopeFactory scopes, TimeProvider time, ILogger<MessagingSchemaCheck<TContext>> logger) : IStartupCheck
    where TContext : DbContext
{
    private static readonly Type[] Tables = [typeof(OutboxMessage), typeof(InboxRecord), typeof(RedeliveryRecord), typeof(DeadLetter), typeof(RedriveJob)];

    /// <summary>Longest the check waits for the database (a host that does not answer must not hold start-up for the
    /// driver's whole connect timeout): 5 s.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(Bound, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            foreach (var table in Tables)
            {
                var names = OutboxTableNames.Of(db, table); // no such entity: says to call AddMessagingTables
#pragma warning disable EF1002 // names quoted from the model, no values
                var probe = $"SELECT {string.Join(", ", names.Columns)} FROM {names.Table} WHERE 1 = 0";
                try
                {
                    await db.Database.ExecuteSqlRawAsync(probe, bounded.Token).ConfigureAwait(false);
                }
#pragma warning restore EF1002
                catch (DbException ex) when (IsMissing(ex))
                {
                    throw new MessagingException($"The messaging table {names.Table} does not match {typeof(TContext).Name}'s model: {ex.Message.Trim()}. "
                        + "After upgrading Messaging.Outbox.EfCore, add a migration (dotnet ef migrations add <name>) and apply it; EnsureCreated "
                        + "creates tables only in a new database.", ex);
                }
                catch (DbException ex)
                {
                    OutboxLog.SchemaNotChecked(logger, names.Table, ex.Message.Trim());
                    return;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    OutboxLog.SchemaNotChecked(logger, names.Table, $"no answer within {Bound.TotalSeconds:0} s");
                    return;
                }
            }
        }
    }

    /// <summary>A missing table or column, as PostgreSQL (SQLSTATE 42P01, 42703) and SQLite ("no such …") say it.</summary>
    private static bool IsMissing(DbException ex) =>
        ex.SqlState is "42P01" or "42703"
        || ex.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("no such column", StringComparison.OrdinalIgnoreCase);
}
