using Messaging.Diagnostics;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows in id order with confirmed batch sends and marks the confirmed ones sent.
/// Never crashes the host: database and broker errors are logged and retried with bounded exponential backoff.
/// </summary>
/// <remarks>
/// One dispatcher per process, reading Pending rows without claiming them. Several instances on one database
/// would send the same rows (the inbox absorbs the duplicates); claiming (<c>FOR UPDATE SKIP LOCKED</c> or a
/// lease column) for multi-instance dispatch is a later issue.
/// </remarks>
internal sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    IMessageTransport transport,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    MessagingStatistics statistics,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private const int MaxErrorLength = 2_000;
    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        OutboxLog.DispatcherStarted(logger, typeof(TContext).Name, transport.Name, _options.BatchSize, _options.PollIntervalMs);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? backoff = null;
            try
            {
                var (read, unconfirmed) = await DispatchBatchAsync(stoppingToken).ConfigureAwait(false);
                if (unconfirmed > 0) backoff = Backoff(++failures);
                else
                {
                    failures = 0;
                    if (read == _options.BatchSize) continue; // more may be waiting
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // the dispatcher must survive any broker or database error
            catch (Exception ex)
#pragma warning restore CA1031
            {
                backoff = Backoff(++failures);
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

    private TimeSpan Backoff(int failures)
    {
        var ms = _options.PollIntervalMs * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxBackoffMs));
    }

    /// <summary>One round: read, publish, mark. Returns rows read and rows left unconfirmed.</summary>
    private async Task<(int Read, int Unconfirmed)> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var outbox = db.Set<OutboxMessage>();
            var rows = await outbox.AsNoTracking()
                .Where(m => m.Status == OutboxStatus.Pending)
                .OrderBy(m => m.Id)
                .Take(_options.BatchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0) return (0, 0);

            var unconfirmed = new Dictionary<string, string>(StringComparer.Ordinal);
            var unreadable = new HashSet<string>(StringComparer.Ordinal);
            var envelopes = new List<Envelope>(rows.Count);
            foreach (var row in rows)
            {
                // A row edited into an unreadable state must not stall the outbox: it is failed at once.
                try { envelopes.Add(OutboxRows.ToEnvelope(row)); }
                catch (System.Text.Json.JsonException ex)
                {
                    unreadable.Add(row.MessageId);
                    unconfirmed.TryAdd(row.MessageId, Truncate("headers are not a JSON object of strings: " + ex.Message));
                }
            }
            try
            {
                var readable = unreadable.Count == 0 ? envelopes : envelopes.FindAll(e => !unreadable.Contains(e.MessageId));
                if (readable.Count > 0) await transport.SendBatchAsync(readable, cancellationToken).ConfigureAwait(false);
            }
            catch (BatchPublishException ex)
            {
                foreach (var failure in ex.Failures) unconfirmed.TryAdd(failure.MessageId, Truncate(failure.Message));
            }

            // The broker has confirmed: record it even when stopping, or the rows would be sent again.
            var sent = rows.Where(r => !unconfirmed.ContainsKey(r.MessageId)).ToList();
            if (sent.Count > 0)
            {
                var ids = sent.ConvertAll(r => r.Id);
                DateTime? now = time.GetUtcNow().UtcDateTime;
                await outbox.Where(m => ids.Contains(m.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, now), CancellationToken.None)
                    .ConfigureAwait(false);
                foreach (var destination in sent.GroupBy(r => r.Destination, StringComparer.Ordinal))
                    statistics.AddPublished(transport.Name, destination.Key, destination.Count());
            }

            var failed = rows.Where(r => unconfirmed.ContainsKey(r.MessageId)).ToList();
            foreach (var row in failed)
                await RecordUnconfirmedAsync(outbox, row, unconfirmed[row.MessageId], unreadable.Contains(row.MessageId)).ConfigureAwait(false);
            OutboxLog.BatchDispatched(logger, sent.Count, failed.Count, rows.Count);
            return (rows.Count, failed.Count);
        }
    }

    private async Task RecordUnconfirmedAsync(DbSet<OutboxMessage> outbox, OutboxMessage row, string error, bool failNow)
    {
        // Single dispatcher: the attempts read with the batch are current, so the new values are computed here.
        var attempts = row.Attempts + 1;
        var status = failNow || attempts >= _options.MaxAttempts ? OutboxStatus.Failed : OutboxStatus.Pending;
        await outbox.Where(m => m.Id == row.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastError, error).SetProperty(m => m.Status, status), CancellationToken.None)
            .ConfigureAwait(false);
        if (status == OutboxStatus.Failed) OutboxLog.RowFailed(logger, row.MessageId, row.Id, row.Destination, attempts, error);
        else OutboxLog.RowUnconfirmed(logger, row.MessageId, row.Id, row.Destination, attempts, _options.MaxAttempts, error);
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
