using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Messaging.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// The outbox's instruments on the library's meter (<see cref="TelemetryNames.SourceName"/>): the dispatcher's batch size
/// and round duration, and two observable gauges, Pending rows and the oldest one's age. A scrape never queries the
/// database: each dispatcher refreshes its figures at most every <see cref="RefreshInterval"/> (two indexed queries), and the
/// age grows from the oldest row's creation time between refreshes.
/// </summary>
internal static class OutboxMetrics
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    // A meter of the library's name: listeners and exporters subscribed to that name receive these instruments too.
    private static readonly Meter Meter = new(TelemetryNames.SourceName);

    private static readonly ConcurrentDictionary<object, (long Pending, DateTime? Oldest, TimeProvider Time)> Figures = new();
    private static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>(TelemetryNames.OutboxBatchSize, "{message}",
        "Rows claimed per dispatcher round that found any, or per flush on commit");
    private static readonly Histogram<double> DispatchDuration = Meter.CreateHistogram<double>(TelemetryNames.OutboxDispatchDuration, "s",
        "One dispatcher round, from the claim until the broker answered for every row");

    static OutboxMetrics()
    {
        Meter.CreateObservableGauge(TelemetryNames.OutboxPending, () => Figures.Values.Select(f => new Measurement<long>(f.Pending)),
            "{message}", "Outbox rows waiting to be published");
        Meter.CreateObservableGauge(TelemetryNames.OutboxOldestPendingAge, () => Figures.Values.Select(f => new Measurement<double>(
            f.Oldest is { } oldest ? Math.Max(0, (f.Time.GetUtcNow().UtcDateTime - oldest).TotalSeconds) : 0)), "s", "Age of the oldest Pending outbox row");
    }

    public static void Dispatched(int rows, TimeSpan elapsed)
    {
        BatchSize.Record(rows);
        DispatchDuration.Record(elapsed.TotalSeconds);
    }

    /// <summary>Reads the Pending count and the oldest Pending row's creation time for <paramref name="dispatcher"/>; returns
    /// the Pending rows per <c>transport</c> column value (null for rows that name none).</summary>
    public static async Task<IReadOnlyList<(string? Transport, int Pending)>> RefreshAsync(object dispatcher, DbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Pending);
        var byTransport = await PendingByTransportAsync(db, cancellationToken).ConfigureAwait(false);
        var oldest = await outbox.OrderBy(m => m.Id).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        Figures[dispatcher] = (byTransport.Sum(t => (long)t.Pending), oldest, time);
        return byTransport;
    }

    /// <summary>Pending rows per <c>transport</c> column value (null for rows that name none); one grouped query.</summary>
    public static async Task<IReadOnlyList<(string? Transport, int Pending)>> PendingByTransportAsync(DbContext db, CancellationToken cancellationToken)
    {
        var groups = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Pending)
            .GroupBy(m => m.Transport).Select(g => new { Transport = g.Key, Pending = g.Count() }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return groups.ConvertAll(g => (g.Transport, g.Pending));
    }

    /// <summary>Stops reporting a dispatcher's figures (it stopped).</summary>
    public static void Forget(object dispatcher) => Figures.TryRemove(dispatcher, out _);
}
