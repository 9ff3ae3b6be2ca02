using System.Text.Json.Serialization;

namespace Messaging.Benchmarks.Harness;

/// <summary>One row of the report; the JSON keys are the ones the issue names, extras after them.</summary>
public sealed class ScenarioResult
{
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    /// <summary>The offered rate of this row, for a latency scenario (one row per rate); absent for closed-loop rows.</summary>
    [JsonPropertyName("offered")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public OfferedRate? Offered { get; init; }
    /// <summary>Ours, msgs/s (median of the runs).</summary>
    [JsonPropertyName("ours")] public double? Ours { get; init; }
    /// <summary>Raw client doing the same work, msgs/s; null where there is no raw twin.</summary>
    [JsonPropertyName("raw")] public double? Raw { get; init; }
    [JsonPropertyName("ratio")] public double? Ratio { get; init; }
    [JsonPropertyName("p50Ms")] public double? P50Ms { get; init; }
    [JsonPropertyName("p99Ms")] public double? P99Ms { get; init; }
    [JsonPropertyName("p999Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? P999Ms { get; init; }
    [JsonPropertyName("allocBytesPerMsg")] public double? AllocBytesPerMsg { get; init; }
    [JsonPropertyName("massTransit")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransit { get; init; }
    /// <summary>Wolverine doing the same work (e2e.orders), msgs/s; absent where it has no twin.</summary>
    [JsonPropertyName("wolverine")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Wolverine { get; init; }
    /// <summary>Ours ÷ Wolverine, msgs/s.</summary>
    [JsonPropertyName("oursVsWolverine")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? OursVsWolverine { get; init; }

    [JsonPropertyName("rawP50Ms")] public double? RawP50Ms { get; init; }
    [JsonPropertyName("rawP99Ms")] public double? RawP99Ms { get; init; }
    [JsonPropertyName("rawP999Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? RawP999Ms { get; init; }
    [JsonPropertyName("rawAllocBytesPerMsg")] public double? RawAllocBytesPerMsg { get; init; }
    [JsonPropertyName("massTransitP50Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitP50Ms { get; init; }
    [JsonPropertyName("massTransitP99Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitP99Ms { get; init; }
    [JsonPropertyName("massTransitAllocBytesPerMsg")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitAllocBytesPerMsg { get; init; }
    [JsonPropertyName("wolverineP50Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? WolverineP50Ms { get; init; }
    [JsonPropertyName("wolverineP99Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? WolverineP99Ms { get; init; }
    [JsonPropertyName("wolverineP999Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? WolverineP999Ms { get; init; }
    [JsonPropertyName("wolverineAllocBytesPerMsg")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? WolverineAllocBytesPerMsg { get; init; }
    /// <summary>Per contender (ours, raw, massTransit, wolverine): min and max msgs/s over the runs, and of each run's p50/p99.</summary>
    [JsonPropertyName("spread")] public IReadOnlyDictionary<string, SideSpread>? Spread { get; init; }
    [JsonPropertyName("messagesPerRun")] public int MessagesPerRun { get; init; }
    [JsonPropertyName("runs")] public int Runs { get; init; }
    [JsonPropertyName("oursRunRates")] public IReadOnlyList<double>? OursRunRates { get; init; }
    [JsonPropertyName("rawRunRates")] public IReadOnlyList<double>? RawRunRates { get; init; }
    [JsonPropertyName("massTransitRunRates")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<double>? MassTransitRunRates { get; init; }
    [JsonPropertyName("wolverineRunRates")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<double>? WolverineRunRates { get; init; }
    /// <summary>Per contender, the scenario's own figures (for example e2e's appliedTwice and outOfOrder), medians over the runs.</summary>
    [JsonPropertyName("extras")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Extras { get; init; }
    [JsonPropertyName("target")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Target { get; set; }
    [JsonPropertyName("targetMet")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? TargetMet { get; set; }
    [JsonPropertyName("extra")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? Extra { get; init; }
    [JsonPropertyName("note")] public string? Note { get; init; }
    [JsonPropertyName("errors")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Errors { get; init; }

    public static ScenarioResult From(Scenario scenario, int messages, int runs, IReadOnlyDictionary<string, SideResult> sides, IReadOnlyList<string> errors,
        bool evaluateTarget, OfferedRate? offered = null)
    {
        sides.TryGetValue(Contender.Ours, out var ours);
        sides.TryGetValue(Contender.Raw, out var raw);
        sides.TryGetValue(Contender.MassTransit, out var mt);
        sides.TryGetValue(Contender.Wolverine, out var wolverine);
        var extras = sides.Where(s => s.Value.Extra is not null).ToDictionary(s => s.Key, s => s.Value.Extra!);
        var result = new ScenarioResult
        {
            Scenario = scenario.Name,
            Offered = offered,
            Ours = Round(ours?.MessagesPerSecond),
            Raw = Round(raw?.MessagesPerSecond),
            Ratio = ours is not null && raw is not null ? Math.Round(ours.MessagesPerSecond / raw.MessagesPerSecond, 3) : null,
            P50Ms = Round(ours?.P50Ms, 3),
            P99Ms = Round(ours?.P99Ms, 3),
            P999Ms = Round(ours?.P999Ms, 3),
            AllocBytesPerMsg = Round(ours?.AllocBytesPerMsg),
            MassTransit = Round(mt?.MessagesPerSecond),
            Wolverine = Round(wolverine?.MessagesPerSecond),
            OursVsWolverine = ours is not null && wolverine is not null ? Math.Round(ours.MessagesPerSecond / wolverine.MessagesPerSecond, 3) : null,
            RawP50Ms = Round(raw?.P50Ms, 3),
            RawP99Ms = Round(raw?.P99Ms, 3),
            RawP999Ms = Round(raw?.P999Ms, 3),
            RawAllocBytesPerMsg = Round(raw?.AllocBytesPerMsg),
            MassTransitP50Ms = Round(mt?.P50Ms, 3),
            MassTransitP99Ms = Round(mt?.P99Ms, 3),
            MassTransitAllocBytesPerMsg = Round(mt?.AllocBytesPerMsg),
            WolverineP50Ms = Round(wolverine?.P50Ms, 3),
            WolverineP99Ms = Round(wolverine?.P99Ms, 3),
            WolverineP999Ms = Round(wolverine?.P999Ms, 3),
            WolverineAllocBytesPerMsg = Round(wolverine?.AllocBytesPerMsg),
            Spread = sides.Count == 0 ? null : sides.ToDictionary(s => s.Key, s => s.Value.ToSpread()),
            MessagesPerRun = messages,
            Runs = runs,
            OursRunRates = ours?.RunRates.Select(r => Math.Round(r)).ToList(),
            RawRunRates = raw?.RunRates.Select(r => Math.Round(r)).ToList(),
            MassTransitRunRates = mt?.RunRates.Select(r => Math.Round(r)).ToList(),
            WolverineRunRates = wolverine?.RunRates.Select(r => Math.Round(r)).ToList(),
            Extras = extras.Count > 1 ? extras : null,
            Extra = ours?.Extra,
            Note = scenario.Note,
            Errors = errors.Count > 0 ? errors : null,
        };
        if (scenario.Target is { } target && errors.Count == 0 && evaluateTarget)
        {
            result.Target = target.Text;
            result.TargetMet = target.Met(result);
        }
        return result;
    }

    private static double? Round(double? value, int digits = 0) =>
        value is { } v && double.IsFinite(v) ? Math.Round(v, digits) : null;
}
