using System.Globalization;
using System.Text.Json;

namespace Messaging.Benchmarks.Harness;

/// <summary>The console table (medians with the runs' min–max) and the JSON file.</summary>
public static class Report
{
    public static void PrintTable(TextWriter output, IReadOnlyList<ScenarioResult> results)
    {
        output.WriteLine();
        output.WriteLine("Medians of the runs, (min–max) of the runs beside them; peer = MassTransit (MT) or Wolverine (Wv).");
        output.WriteLine(Row("scenario", "ours msg/s", "raw msg/s", "ratio", "peer msg/s", "ours p50 ms", "ours p99 ms", "peer p99", "raw p99", "B/msg", "target"));
        output.WriteLine(new string('-', 240));
        foreach (var r in results)
        {
            var target = r.TargetMet switch { true => "met", false => "MISSED", null => r.Errors is null ? "" : "error" };
            var (peerName, peerRate, peerP99) = r.Wolverine is not null ? ("wolverine", r.Wolverine, r.WolverineP99Ms)
                : r.MassTransit is not null ? ("massTransit", r.MassTransit, r.MassTransitP99Ms) : ("", null, null);
            var peerText = peerRate is null ? "-" : (peerName == "wolverine" ? "Wv " : "MT ") + WithSpread(peerRate, Spread(r, peerName));
            output.WriteLine(Row(r.Scenario + (r.Offered is { } offered ? " @" + offered.Label : ""), WithSpread(r.Ours, Spread(r, Contender.Ours)), WithSpread(r.Raw, Spread(r, Contender.Raw)),
                r.Ratio?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-", peerText,
                D(r.P50Ms), D(r.P99Ms) + (Spread(r, Contender.Ours)?.P99Ms is { } s && s.Min != s.Max ? $" ({D(s.Min)}–{D(s.Max)})" : ""),
                D(peerP99), D(r.RawP99Ms), N(r.AllocBytesPerMsg), target));
            foreach (var error in r.Errors ?? []) output.WriteLine($"    error: {error}");
        }
        output.WriteLine();
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<ScenarioResult> results, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, results, new JsonSerializerOptions { WriteIndented = true }, cancellationToken);
    }

    private static SideSpread? Spread(ScenarioResult r, string role) => r.Spread is { } s && s.TryGetValue(role, out var side) ? side : null;

    private static string WithSpread(double? median, SideSpread? spread) =>
        median is null ? "-" : N(median) + (spread is null || spread.Min == spread.Max ? "" : $" ({N(spread.Min)}–{N(spread.Max)})");

    private static string Row(string scenario, string ours, string raw, string ratio, string peer, string p50, string p99, string peerP99, string rawP99, string alloc, string target) =>
        $"{scenario,-48} {ours,26} {raw,26} {ratio,6} {peer,29} {p50,11} {p99,24} {peerP99,9} {rawP99,9} {alloc,9}  {target}";

    private static string N(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";
    private static string D(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
