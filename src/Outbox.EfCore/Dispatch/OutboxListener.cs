using Messaging.Outbox.Dialects;
using Messaging.Outbox.Schema;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// With <see cref="OutboxOptions.UseListenNotify"/> on PostgreSQL: keeps one connection that <c>LISTEN</c>s on the
/// outbox channel and wakes the dispatcher on every notification, so a commit in any instance wakes all of them.
/// Reconnects with backoff after a connection loss (polling covers the gap). The listening itself is the
/// <see cref="OutboxDialect"/>'s (Npgsql's API on PostgreSQL).
/// </summary>
internal sealed class OutboxListener<TContext>(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
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
                    var dialect = OutboxDialect.For(db);
                    if (!dialect.SupportsNotify)
                    {
                        OutboxLog.ListenNotifyIgnored(logger, db.Database.ProviderName ?? "unknown");
                        return;
                    }
                    await dialect.ListenAsync(db, OutboxTableNames.NotifyChannel(db), signal.Wake, () =>
                    {
                        failures = 0;
                        signal.Wake(); // rows committed while not listening
                    }, stoppingToken).ConfigureAwait(false);
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
                var delay = options.Value.BackoffAfter(++failures);
                OutboxLog.ListenFailed(logger, ex, (long)delay.TotalMilliseconds);
                try { await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
