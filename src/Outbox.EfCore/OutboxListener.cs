using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// With <see cref="OutboxOptions.UseListenNotify"/> on PostgreSQL: keeps one connection that <c>LISTEN</c>s on the
/// outbox channel and wakes the dispatcher on every notification, so a commit in any instance wakes all of them.
/// Reconnects with backoff after a connection loss (polling covers the gap). Npgsql is reached through its public
/// <c>Notification</c> event and <c>WaitAsync</c> method by reflection, so this package does not depend on it.
/// </summary>
internal sealed class OutboxListener<TContext>(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxListener<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.UseListenNotify) return;
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var db = scope.ServiceProvider.GetRequiredService<TContext>();
                    if (!OutboxClaimer.IsPostgres(db))
                    {
                        OutboxLog.ListenNotifyIgnored(logger, db.Database.ProviderName ?? "unknown");
                        return;
                    }
                    await ListenAsync(db, () => failures = 0, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a lost listen connection must not stop the host; polling covers the gap
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var delay = OutboxMarker.Backoff(options.Value, ++failures);
                OutboxLog.ListenFailed(logger, ex, (long)delay.TotalMilliseconds);
                try { await Task.Delay(delay, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task ListenAsync(TContext db, Action connected, CancellationToken stoppingToken)
    {
        var connection = db.Database.GetDbConnection();
        var type = connection.GetType();
        var notification = type.GetEvent("Notification") ?? throw new MissingMemberException(type.FullName, "Notification");
        var wait = type.GetMethod("WaitAsync", [typeof(CancellationToken)]) ?? throw new MissingMemberException(type.FullName, "WaitAsync");
        var handler = Delegate.CreateDelegate(notification.EventHandlerType!, this,
            typeof(OutboxListener<TContext>).GetMethod(nameof(OnNotification), BindingFlags.NonPublic | BindingFlags.Instance)!);
        await db.Database.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        notification.AddEventHandler(connection, handler);
        try
        {
            var channel = OutboxTableNames.NotifyChannel(db).Replace("\"", "\"\"", StringComparison.Ordinal);
            var listen = "LISTEN \"" + channel + "\""; // quoted identifier from the model, quotes doubled
            await db.Database.ExecuteSqlRawAsync(listen, stoppingToken).ConfigureAwait(false);
            connected();
            signal.Wake(); // rows committed while not listening
            while (true) await ((Task)wait.Invoke(connection, [stoppingToken])!).ConfigureAwait(false);
        }
        finally
        {
            notification.RemoveEventHandler(connection, handler);
        }
    }

    private void OnNotification(object sender, EventArgs e) => signal.Wake();
}
