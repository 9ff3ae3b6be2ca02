using System.Data.Common;
using System.Diagnostics;

namespace Messaging.Benchmarks.E2e;

/// <summary>
/// The orders placed in one round: when placing started and when each order's transaction returned (UTC ticks); for an
/// open-loop round also when each order was due by the schedule.
/// </summary>
public sealed record PlacedOrders(long StartedTicks, long[] CommittedTicks, long[]? IntendedTicks = null);

/// <summary>
/// The main job's flow, driven the same way for every contender: concurrent writers place one order per transaction,
/// then the round waits until the handler's rows show every order applied, and measures from those rows.
/// </summary>
public static class E2eFlow
{
    /// <summary>Partition keys (customers) of the default run.</summary>
    public const int Keys = 64;

    /// <summary>Concurrent writers placing orders (like concurrent requests of a service).</summary>
    public const int Writers = 8;

    /// <summary>
    /// Places orders 0..n-1. Writer w owns the keys k with k mod writers = w, so one key's orders commit in seq
    /// order and the handler's order per key can be checked afterwards.
    /// </summary>
    public static async Task<PlacedOrders> PlaceAsync(int orders, Func<long, CancellationToken, Task> placeOne, CancellationToken ct)
    {
        var committed = new long[orders];
        var started = DateTime.UtcNow.Ticks;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (long seq = 0; seq < orders; seq++)
            {
                if (seq % Keys % Writers != w) continue;
                await placeOne(seq, ct).ConfigureAwait(false);
                committed[seq] = DateTime.UtcNow.Ticks;
            }
        }, ct));
        await Task.WhenAll(writers).ConfigureAwait(false);
        return new PlacedOrders(started, committed);
    }

    /// <summary>
    /// Offers orders 0..n-1 at a fixed rate (open loop): order i is due at start + i / rate and is started then, whether
    /// or not earlier orders have returned, so a slow system meets a growing queue instead of a slower schedule. Only
    /// the orders of one key wait for each other (the key's previous order must have committed), which keeps per-key
    /// order checkable; a key that falls behind starts late, and the latency from the due time shows it.
    /// </summary>
    public static async Task<PlacedOrders> OfferAsync(int orders, double perSecond, Func<long, CancellationToken, Task> placeOne, CancellationToken ct)
    {
        var committed = new long[orders];
        var intended = new long[orders];
        var chains = Enumerable.Repeat(Task.CompletedTask, Keys).ToArray();
        var started = DateTime.UtcNow.Ticks;
        var clock = Stopwatch.StartNew();
        for (long seq = 0; seq < orders; seq++)
        {
            var due = TimeSpan.FromSeconds(seq / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
            intended[seq] = started + due.Ticks;
            var key = (int)(seq % Keys);
            var previous = chains[key];
            var order = seq;
            // Off the schedule's thread: the synchronous part of a placing call must not delay the next order's start.
            chains[key] = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                await placeOne(order, ct).ConfigureAwait(false);
                committed[order] = DateTime.UtcNow.Ticks;
            }, ct);
        }
        await Task.WhenAll(chains).ConfigureAwait(false);
        return new PlacedOrders(started, committed, intended);
    }

    /// <summary>Waits until every order has a handler row, then reads them: rate, commit-to-handled latencies, and checks.</summary>
    public static async Task<PeerReply> WaitAndMeasureAsync(DbConnection connection, PlacedOrders placed, CancellationToken ct)
    {
        var orders = placed.CommittedTicks.Length;
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct).ConfigureAwait(false);
        while (await ScalarAsync(connection, $"SELECT count(DISTINCT seq) FROM {E2eModel.AppliedTable}", ct).ConfigureAwait(false) < orders)
            await Task.Delay(20, ct).ConfigureAwait(false);

        var firstApplied = new long[orders];
        var lastSeqOfKey = new Dictionary<string, long>(StringComparer.Ordinal);
        int rows = 0, outOfOrder = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT seq, customer_id, applied_at_ticks FROM {E2eModel.AppliedTable} ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rows++;
                var seq = reader.GetInt64(0);
                var key = reader.GetString(1);
                if (firstApplied[seq] == 0) firstApplied[seq] = reader.GetInt64(2);
                if (lastSeqOfKey.TryGetValue(key, out var last) && seq < last) outOfOrder++;
                else lastSeqOfKey[key] = seq;
            }
        }
        var latencies = new double[orders];
        for (var i = 0; i < orders; i++) latencies[i] = (firstApplied[i] - placed.CommittedTicks[i]) / (double)TimeSpan.TicksPerMillisecond;
        var elapsedMs = (firstApplied.Max() - placed.StartedTicks) / (double)TimeSpan.TicksPerMillisecond;
        var extra = new Dictionary<string, double>
        {
            ["appliedTwice"] = rows - orders,
            ["outOfOrder"] = outOfOrder,
        };
        if (placed.IntendedTicks is { } intended)
        {
            // Open loop: also from the time each order was due, which counts an order that started late (a key behind, a busy writer).
            var fromDue = new double[orders];
            for (var i = 0; i < orders; i++) fromDue[i] = (firstApplied[i] - intended[i]) / (double)TimeSpan.TicksPerMillisecond;
            Array.Sort(fromDue);
            extra["fromDueP50Ms"] = Math.Round(Percentile(fromDue, 50), 3);
            extra["fromDueP99Ms"] = Math.Round(Percentile(fromDue, 99), 3);
            extra["fromDueP999Ms"] = Math.Round(Percentile(fromDue, 99.9), 3);
        }
        return new PeerReply(true, Messages: orders, ElapsedMs: elapsedMs, LatenciesMs: latencies, Extra: extra);
    }

    /// <summary>Nearest-rank percentile of sorted values (the harness's Stats.Percentile; this file is also linked into the peers).</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
