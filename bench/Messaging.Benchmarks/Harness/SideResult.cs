using System.Text.Json.Serialization;

namespace Messaging.Benchmarks.Harness;

/// <summary>The lowest and highest of the runs' values (single runs here vary by ±30 %, so a median alone hides too much).</summary>
public sealed record Spread([property: JsonPropertyName("min")] double Min, [property: JsonPropertyName("max")] double Max)
{
    public static Spread? Of(IReadOnlyList<double> values) => values.Count == 0 ? null : new Spread(values.Min(), values.Max());

    public Spread Round(int digits) => new(Math.Round(Min, digits), Math.Round(Max, digits));
}

/// <summary>
/// Measured figures of one side of a scenario: every figure is the median over the runs (latency: the median of each
/// run's p50 and p99), with the runs' min–max beside it.
/// </summary>
public sealed record SideResult(double MessagesPerSecond, double? P50Ms, double? P99Ms, double AllocBytesPerMsg, IReadOnlyList<double> RunRates, IReadOnlyDictionary<string, double>? Extra)
{
    public Spread? RateSpread { get; init; }
    public Spread? P50Spread { get; init; }
    public Spread? P99Spread { get; init; }
    /// <summary>The median of the runs' p99.9 (with few samples per run, about the slowest message of each).</summary>
    public double? P999Ms { get; init; }
    public Spread? P999Spread { get; init; }

    /// <summary>The JSON "spread" entry of this side.</summary>
    public SideSpread ToSpread() => new()
    {
        Min = Math.Round(RateSpread?.Min ?? 0),
        Max = Math.Round(RateSpread?.Max ?? 0),
        P50Ms = P50Spread?.Round(3),
        P99Ms = P99Spread?.Round(3),
        P999Ms = P999Spread?.Round(3),
    };
}

/// <summary>One contender's spread in the JSON: msgs/s min and max, and the latency percentiles' min–max over the runs.</summary>
public sealed class SideSpread
{
    [JsonPropertyName("min")] public double Min { get; init; }
    [JsonPropertyName("max")] public double Max { get; init; }
    [JsonPropertyName("p50Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Spread? P50Ms { get; init; }
    [JsonPropertyName("p99Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Spread? P99Ms { get; init; }
    [JsonPropertyName("p999Ms")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Spread? P999Ms { get; init; }
}
