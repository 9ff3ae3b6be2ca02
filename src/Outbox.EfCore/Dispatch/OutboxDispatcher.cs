using Messaging.Outbox.Dialects;
using Messaging.Outbox.Writing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// The dispatcher loop: claim a batch (<see cref="OutboxClaimer"/>), publish it (<see cref="OutboxSender"/>), record
/// the outcome per row (<see cref="OutboxMarker"/>) while the next batch is claimed, and now and then delete old rows
/// (<see cref="OutboxRetention"/>).
/// Wakes on the commit signal or every <see cref="OutboxOptions.PollIntervalMs"/>. Never crashes the host: database
/// and broker errors are logged and retried with bounded exponential backoff. A transport whose broker cannot be
/// reached is paused as a whole (<see cref="TransportCircuits"/>): its rows wait without spending attempts, one row
/// probes it, and the rows of other transports keep flowing.
/// </summary>
internal sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    OutboxClaimer claimer,
    OutboxSender sender,
    TransportCircuits circuits,
    OutboxMarker marker,
    OutboxRetention retention,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private readonly OutboxOptions _options = options.Value;
    private DateTimeOffset _nextRetention;
    private DateTimeOffset _nextMetrics;
    private DateTimeOffset _nextOtherTransportsLine;
    private Task? _recording;           // the previous round's outcome being written
    private List<long> _recordingSent = []; // its confirmed row ids

    /// <summary>This instance's lease owner: machine, process and a random part (two hosts in one process differ).</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (lifetime.ApplicationStopping.IsCancellationRequested) return; // start-up failed (RunMessagingAsync): send nothing
        OutboxLog.DispatcherStarted(logger, typeof(TContext).Name, Owner, _options.BatchSize, _options.PollIntervalMs);
        circuits.Watch();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? backoff = null;
            try
            {
                var claimed = await DispatchBatchAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                await RunRetentionIfDueAsync(stoppingToken).ConfigureAwait(false);
                await RefreshMetricsIfDueAsync(stoppingToken).ConfigureAwait(false);
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
                backoff = _options.BackoffAfter(++failures);
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
        try
        {
            await AwaitRecordingAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // stopping: log it; the rows' leases run out and they are sent again (the inbox absorbs it)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.LastRecordFailed(logger, ex);
        }
        OutboxMetrics.Forget(this);
        OutboxLog.DispatcherStopped(logger, typeof(TContext).Name);
    }

    /// <summary>
    /// One round: claim (one row per due probe of a paused transport, then a batch of the other transports' rows),
    /// publish, then start recording the outcome. On PostgreSQL the next round's claim overlaps the recording (the
    /// confirmed rows being recorded no longer hold their keys back); SQLite records at once. A round sends only after
    /// the previous round is recorded: had recording failed, its rows are sent again later, and no later row of their
    /// keys may go out before them. Returns the rows of the batch claim.
    /// </summary>
    private async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        var recordingOwnsScope = false;
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await LogPausedAsync(db, cancellationToken).ConfigureAwait(false);
            var started = time.GetTimestamp();
            var probes = circuits.DueProbes();
            var rows = new List<OutboxMessage>();
            foreach (var transport in probes)
                rows.AddRange(await claimer.ClaimAsync(db, Owner, _recordingSent, circuits.ProbeOf(transport), cancellationToken).ConfigureAwait(false));
            var claimed = 0;
            if (!circuits.AllPaused)
            {
                var batch = await claimer.ClaimAsync(db, Owner, _recordingSent, circuits.Flowing(), cancellationToken).ConfigureAwait(false);
                claimed = batch.Count;
                rows.AddRange(batch);
                rows.Sort((a, b) => a.Id.CompareTo(b.Id));
            }
            try
            {
                await AwaitRecordingAsync().ConfigureAwait(false);
            }
            catch when (rows.Count > 0)
            {
                await ReleaseQuietlyAsync(db, rows).ConfigureAwait(false);
                foreach (var transport in probes) circuits.ProbeFailed(transport);
                throw;
            }
            var result = rows.Count == 0 ? new OutboxSendResult() : await sender.SendAsync(rows, cancellationToken).ConfigureAwait(false);
            await ObserveAsync(db, probes, rows, result, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0) return 0;
            OutboxMetrics.Dispatched(rows.Count, time.GetElapsedTime(started));
            OutboxLog.BatchDispatched(logger, result.Sent.Count, result.Unconfirmed.Count + result.Waiting.Count, result.Deferred.Count, rows.Count);
            // Asked before recording starts: the recording may finish (and dispose db) before it returns.
            var overlap = OutboxDialect.For(db).ConcurrentWriters;
            _recordingSent = result.Sent.ConvertAll(r => r.Id);
            _recording = RecordAsync(scope, db, result);
            recordingOwnsScope = true;
            // One writer (SQLite): record before the next claim or retention takes the write lock.
            if (!overlap) await AwaitRecordingAsync().ConfigureAwait(false);
            return claimed;
        }
        finally
        {
            if (!recordingOwnsScope) await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Pauses the transports that failed as a whole; ends the pause of those whose broker answered (a probe
    /// or any row confirmed or refused), logging how long it lasted and how many rows waited.</summary>
    private async Task ObserveAsync(TContext db, IReadOnlyList<string> probes, List<OutboxMessage> rows, OutboxSendResult result, CancellationToken cancellationToken)
    {
        foreach (var (transport, reason) in result.Outages) circuits.Pause(transport, reason);
        foreach (var transport in probes)
        {
            var probed = rows.Any(r => string.Equals(circuits.NameOf(r.Transport), transport, StringComparison.OrdinalIgnoreCase));
            var answered = probed ? result.Answered.Contains(transport) && !result.Outages.ContainsKey(transport) : circuits.IsAvailable(transport);
            if (!answered)
            {
                circuits.ProbeFailed(transport);
                continue;
            }
            if (circuits.Resume(transport) is not { } paused) continue;
            var waiting = await OutboxClaimer.CountPendingAsync(db, circuits.ProbeOf(transport), cancellationToken).ConfigureAwait(false);
            OutboxLog.TransportResumed(logger, transport, (long)paused.TotalSeconds, waiting);
            signal.Wake(); // its rows are claimable again: go on at once
        }
    }

    private async Task LogPausedAsync(TContext db, CancellationToken cancellationToken)
    {
        foreach (var (transport, pausedFor, reason) in circuits.SummariesDue())
        {
            var waiting = await OutboxClaimer.CountPendingAsync(db, circuits.ProbeOf(transport), cancellationToken).ConfigureAwait(false);
            OutboxLog.TransportStillPaused(logger, transport, (long)pausedFor.TotalSeconds, waiting, reason);
        }
    }

    /// <summary>Records a round's outcome, then disposes its scope. The broker has confirmed: record it even when
    /// stopping, or the rows would be sent again.</summary>
    private async Task RecordAsync(AsyncServiceScope scope, TContext db, OutboxSendResult result)
    {
        await using (scope.ConfigureAwait(false))
        {
            await marker.RecordAsync(db, Owner, result, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the previous round's recording; rethrows its failure.</summary>
    private async Task AwaitRecordingAsync()
    {
        var recording = _recording;
        _recording = null;
        _recordingSent = [];
        if (recording is not null) await recording.ConfigureAwait(false);
    }

    /// <summary>Gives claimed rows back unsent (their lease cleared); if that fails too, their lease runs out.</summary>
    private async Task ReleaseQuietlyAsync(TContext db, List<OutboxMessage> rows)
    {
        var release = new OutboxSendResult();
        release.Defer(rows);
        try
        {
            await marker.RecordAsync(db, Owner, release, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the recording failure is what gets reported; the lease expiry covers this one
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Refreshes the Pending gauges at most every <see cref="OutboxMetrics.RefreshInterval"/> (a scrape never queries),
    /// and says at most once a minute which Pending rows name a transport this host does not use.</summary>
    private async Task RefreshMetricsIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextMetrics) return;
        _nextMetrics = now + OutboxMetrics.RefreshInterval;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var pending = await OutboxMetrics.RefreshAsync(this, scope.ServiceProvider.GetRequiredService<TContext>(), time, cancellationToken).ConfigureAwait(false);
            var others = pending.Where(p => !circuits.Sends(p.Transport)).ToList();
            if (others.Count == 0 || now < _nextOtherTransportsLine) return;
            _nextOtherTransportsLine = now + TransportHealth.SummaryInterval;
            foreach (var (transport, rows) in others)
                OutboxLog.RowsOfOtherTransport(logger, rows, transport ?? "(none)", string.Join(", ", circuits.Used));
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
