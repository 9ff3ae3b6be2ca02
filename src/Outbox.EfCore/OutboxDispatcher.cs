using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// The dispatcher loop: claim a batch (<see cref="OutboxClaimer"/>), publish it (<see cref="OutboxSender"/>), record
/// the outcome per row (<see cref="OutboxMarker"/>), and now and then delete old rows (<see cref="OutboxRetention"/>).
/// Wakes on the commit signal or every <see cref="OutboxOptions.PollIntervalMs"/>. Never crashes the host: database
/// and broker errors are logged and retried with bounded exponential backoff.
/// </summary>
internal sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    OutboxClaimer claimer,
    OutboxSender sender,
    OutboxMarker marker,
    OutboxRetention retention,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly OutboxOptions _options = options.Value;
    private DateTimeOffset _nextRetention;

    /// <summary>This instance's lease owner: machine, process and a random part (two hosts in one process differ).</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        OutboxLog.DispatcherStarted(logger, typeof(TContext).Name, Owner, _options.BatchSize, _options.PollIntervalMs);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? backoff = null;
            try
            {
                var claimed = await DispatchBatchAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                await RunRetentionIfDueAsync(stoppingToken).ConfigureAwait(false);
                if (claimed == _options.BatchSize) continue; // more may be waiting
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // the dispatcher must survive any broker or database error
            catch (Exception ex)
#pragma warning restore CA1031
            {
                backoff = OutboxMarker.Backoff(_options, ++failures);
                OutboxLog.DispatchFailed(logger, ex, failures, (long)backoff.Value.TotalMilliseconds);
            }
            try
            {
                if (backoff is { } delay) await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                else await signal.WaitAsync(TimeSpan.FromMilliseconds(_options.PollIntervalMs), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
        OutboxLog.DispatcherStopped(logger, typeof(TContext).Name);
    }

    /// <summary>One round: claim, publish, mark. Returns the rows claimed.</summary>
    private async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var rows = await claimer.ClaimAsync(db, Owner, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0) return 0;
            var result = await sender.SendAsync(rows, cancellationToken).ConfigureAwait(false);
            // The broker has confirmed: record it even when stopping, or the rows would be sent again.
            await marker.RecordAsync(db, Owner, result, CancellationToken.None).ConfigureAwait(false);
            OutboxLog.BatchDispatched(logger, result.Sent.Count, result.Unconfirmed.Count, result.Deferred.Count, rows.Count);
            return rows.Count;
        }
    }

    private async Task RunRetentionIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextRetention) return;
        _nextRetention = now.AddMilliseconds(_options.RetentionIntervalMs);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await retention.RunAsync(scope.ServiceProvider.GetRequiredService<TContext>(), cancellationToken).ConfigureAwait(false);
        }
    }
}
