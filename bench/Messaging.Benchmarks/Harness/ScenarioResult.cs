using System.Text.Json.Serialization;

namespace Messaging.Benchmarks.Harness;

/// <summary>Measured figures of one side of a scenario: medians over the runs, latency percentiles over all runs' samples.</summary>
public sealed record SideResult(double MessagesPerSecond, double? P50Ms, double? P99Ms, double AllocBytesPerMsg, IReadOnlyList<double> RunRates, IReadOnlyDictionary<string, double>? Extra);

/// <summary>One row of the report; the JSON keys are the ones the issue names, extras after them.</summary>
public sealed class ScenarioResult
{
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    /// <summary>Ours, msgs/s (median of the runs).</summary>
    [JsonPropertyName("ours")] public double? Ours { get; init; }
    /// <summary>Raw client doing the same work, msgs/s; null where there is no raw twin.</summary>
    [JsonPropertyName("raw")] public double? Raw { get; init; }
    [JsonPropertyName("ratio")] public double? Ratio { get; init; }
    [JsonPropertyName("p50Ms")] public double? P50Ms { get; init; }
    [JsonPropertyName("p99Ms")] public double? P99Ms { get; init; }
    [JsonPropertyName("allocBytesPerMsg")] public double? AllocBytesPerMsg { get; init; }
    [JsonPropertyName("massTransit")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransit { get; init; }

    [JsonPropertyName("rawP50Ms")] public double? RawP50Ms { get; init; }
    [JsonPropertyName("rawP99Ms")] public double? RawP99Ms { get; init; }
    [JsonPropertyName("rawAllocBytesPerMsg")] public double? RawAllocBytesPerMsg { get; init; }
    [JsonPropertyName("massTransitP50Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitP50Ms { get; init; }
    [JsonPropertyName("massTransitP99Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitP99Ms { get; init; }
    [JsonPropertyName("massTransitAllocBytesPerMsg")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MassTransitAllocBytesPerMsg { get; init; }
    [JsonPropertyName("messagesPerRun")] public int MessagesPerRun { get; init; }
    [JsonPropertyName("runs")] public int Runs { get; init; }
    [JsonPropertyName("oursRunRates")] public IReadOnlyList<double>? OursRunRates { get; init; }
    [JsonPropertyName("rawRunRates")] public IReadOnlyList<double>? RawRunRates { get; init; }
    [JsonPropertyName("target")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Target { get; set; }
    [JsonPropertyName("targetMet")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? TargetMet { get; set; }
    [JsonPropertyName("extra")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? Extra { get; init; }
    [JsonPropertyName("note")] public string? Note { get; init; }
    [JsonPropertyName("errors")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Errors { get; init; }

    public static ScenarioResult From(Scenario scenario, int messages, int runs, IReadOnlyDictionary<string, SideResult> sides, IReadOnlyList<string> errors, bool evaluateTarget)
    {
        sides.TryGetValue(Contender.Ours, out var ours);
        sides.TryGetValue(Contender.Raw, out var raw);
        sides.TryGetValue(Contender.MassTransit, out var mt);
        var result = new ScenarioResult
        {
            Scenario = scenario.Name,
            Ours = Round(ours?.MessagesPerSecond),
            Raw = Round(raw?.MessagesPerSecond),
            Ratio = ours is not null && raw is not null ? Math.Round(ours.MessagesPerSecond / raw.MessagesPerSecond, 3) : null,
            P50Ms = Round(ours?.P50Ms, 3),
            P99Ms = Round(ours?.P99Ms, 3),
            AllocBytesPerMsg = Round(ours?.AllocBytesPerMsg),
            MassTransit = Round(mt?.MessagesPerSecond),
            RawP50Ms = Round(raw?.P50Ms, 3),
            RawP99Ms = Round(raw?.P99Ms, 3),
            RawAllocBytesPerMsg = Round(raw?.AllocBytesPerMsg),
            MassTransitP50Ms = Round(mt?.P50Ms, 3),
            MassTransitP99Ms = Round(mt?.P99Ms, 3),
            MassTransitAllocBytesPerMsg = Round(mt?.AllocBytesPerMsg),
            MessagesPerRun = messages,
            Runs = runs,
            OursRunRates = ours?.RunRates.Select(r => Math.Round(r)).ToList(),
            RawRunRates = raw?.RunRates.Select(r => Math.Round(r)).ToList(),
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
