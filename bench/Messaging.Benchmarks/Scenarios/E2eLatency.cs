using System.Globalization;
using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// The main job's flow offered at fixed rates (open loop), to see latency below saturation rather than the backlog of
/// a closed loop at full speed (issue 22): 100/s, 300/s and 80 % of the slower contender's maximum. Each round runs
/// every rate, and at each rate ours, raw and Wolverine take turns; one report row per rate.
/// </summary>
public static class E2eLatency
{
    private static readonly double[] FixedRates = [100, 300];

    private const double ShareOfMaximum = 0.8;

    public static Scenario Create(string broker) => new($"e2e.latency.{broker}.postgres", 0.5,
        () => [new E2eOursSide(broker, "postgres", E2eFlows.Latency), new E2eRawSide(broker, E2eFlows.Latency), new E2eWolverineSide(broker, E2eFlows.Latency)],
        $"e2e.orders' flow and contenders (one order per transaction, {E2eFlow.Keys} keys), offered at a fixed rate: order i is started at i / rate "
        + "whether or not earlier orders returned (only one key's orders wait for each other, keeping per-key order); rates 100/s, 300/s and "
        + $"80 % of the slower of ours and Wolverine's msgs/s in e2e.orders.{broker}.postgres of the same run, or, when that did not run, of a "
        + "closed-loop burst per contender after a short warm-up in the set-up (the row's offered.basis says which); each rate is offered for --messages x 0.5 ms "
        + "(10 s at the default), contenders taking turns at each rate; p50/p99/p99.9 = the placing transaction's return (commit) to the handler's "
        + "row, as in e2e.orders; extras fromDueP50Ms/P99Ms/P999Ms measure from the order's scheduled time instead (counting late starts)",
        new Target("ours p99 <= Wolverine's p99 at this offered rate", r => r.P99Ms <= r.WolverineP99Ms))
    {
        Rates = (context, ct) => RatesAsync(broker, context, ct),
    };

    private static async Task<IReadOnlyList<OfferedRate>> RatesAsync(string broker, RateContext context, CancellationToken ct)
    {
        var (maximum, basis) = FromOrdersScenario(broker, context.Earlier) ?? await CalibrateAsync(context, ct);
        var derived = new OfferedRate(Math.Max(1, Math.Round(maximum * ShareOfMaximum)),
            string.Create(CultureInfo.InvariantCulture, $"80 % of {maximum:N0}/s, {basis}"));
        return [.. FixedRates.Select(r => new OfferedRate(r)), derived];
    }

    /// <summary>The slower of ours and Wolverine in this run's e2e.orders of the same broker, if it ran and has figures.</summary>
    private static (double Maximum, string Basis)? FromOrdersScenario(string broker, IReadOnlyList<ScenarioResult> earlier)
    {
        var name = $"e2e.orders.{broker}.postgres";
        if (earlier.FirstOrDefault(r => r.Scenario == name) is not { } row) return null;
        var rates = new[] { (Role: Contender.Ours, Rate: row.Ours), (Role: Contender.Wolverine, Rate: row.Wolverine) }
            .Where(m => m.Rate is > 0).Select(m => (m.Role, Rate: m.Rate!.Value)).ToList();
        return rates.Count == 0 ? null : Slower(rates, $"the slower in {name} of this run");
    }

    /// <summary>
    /// No e2e.orders figures: a closed-loop burst per contender (ours, Wolverine) before the first rate, after a fifth
    /// of it as warm-up, so the maximum is not that of code still being compiled.
    /// </summary>
    private static async Task<(double Maximum, string Basis)> CalibrateAsync(RateContext context, CancellationToken ct)
    {
        var burst = Math.Max(50, context.Messages / 5);
        var rates = new List<(string Role, double Rate)>();
        foreach (var contender in context.Contenders.Where(c => c.Role is Contender.Ours or Contender.Wolverine))
        {
            await context.MeasureClosedLoopAsync(contender, Math.Max(20, burst / 5), ct);
            rates.Add((contender.Role, (await context.MeasureClosedLoopAsync(contender, burst, ct)).MessagesPerSecond));
        }
        if (rates.Count == 0) throw new InvalidOperationException("neither ours nor Wolverine is set up, so there is no maximum to offer 80 % of");
        return Slower(rates, string.Create(CultureInfo.InvariantCulture, $"the slower in a closed-loop burst of {burst:N0} orders each in the set-up"));
    }

    private static (double Maximum, string Basis) Slower(List<(string Role, double Rate)> rates, string source)
    {
        var slower = rates.MinBy(r => r.Rate);
        var all = string.Join(", ", rates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Role} {r.Rate:N0}/s")));
        return (slower.Rate, $"{source} ({all})");
    }
}
