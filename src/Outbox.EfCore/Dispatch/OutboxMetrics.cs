using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Messaging.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>
/// The outbox's instruments on the library's meter (<see cref="TelemetryNames.SourceName"/>): the dispatcher's batch size
/// and round duration, and two observable gauges, Pending rows and the oldest one's age. A scrape never queries the
/// database: each dispatcher refreshes its figures at most every <see cref="RefreshInterval"/> (two indexed queries), and the
/// age grows from the oldest row's creation time between refreshes.
/// </summary>
internal static class OutboxMetrics
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<object, (long Pending, DateTime? Oldest)> Figures = new();
    private static readonly Histogram<long> BatchSize = MessagingTelemetry.Meter.CreateHistogram<long>(TelemetryNames.OutboxBatchSize, "{message}",
        "Rows claimed per dispatcher round that found any");
    private static readonly Histogram<double> DispatchDuration = MessagingTelemetry.Meter.CreateHistogram<double>(TelemetryNames.OutboxDispatchDuration, "s",
        "One dispatcher round, from the claim until the broker answered for every row");

    static OutboxMetrics()
    {
        MessagingTelemetry.Meter.CreateObservableGauge(TelemetryNames.OutboxPending, () => Figures.Values.Select(f => new Measurement<long>(f.Pending)),
            "{message}", "Outbox rows waiting to be published");
        MessagingTelemetry.Meter.CreateObservableGauge(TelemetryNames.OutboxOldestPendingAge, () => Figures.Values.Select(f => new Measurement<double>(
            f.Oldest is { } oldest ? Math.Max(0, (DateTime.UtcNow - oldest).TotalSeconds) : 0)), "s", "Age of the oldest Pending outbox row");
    }

    public static void Dispatched(int rows, TimeSpan elapsed)
    {
        BatchSize.Record(rows);
        DispatchDuration.Record(elapsed.TotalSeconds);
    }

    /// <summary>Reads the Pending count and the oldest Pending row's creation time for <paramref name="dispatcher"/>.</summary>
    public static async Task RefreshAsync(object dispatcher, DbContext db, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Pending);
        var pending = await outbox.CountAsync(cancellationToken).ConfigureAwait(false);
        var oldest = await outbox.OrderBy(m => m.Id).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        Figures[dispatcher] = (pending, oldest);
    }

    /// <summary>Stops reporting a dispatcher's figures (it stopped).</summary>
    public static void Forget(object dispatcher) => Figures.TryRemove(dispatcher, out _);
}
