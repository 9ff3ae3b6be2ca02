using System.Globalization;
using System.Text.Json;

namespace Messaging.Benchmarks.Harness;

/// <summary>The console table and the JSON file.</summary>
public static class Report
{
    public static void PrintTable(TextWriter output, IReadOnlyList<ScenarioResult> results)
    {
        output.WriteLine();
        output.WriteLine(Row("scenario", "ours msg/s", "raw msg/s", "ratio", "MassTr. msg/s", "p50 ms", "p99 ms", "B/msg", "target"));
        output.WriteLine(new string('-', 150));
        foreach (var r in results)
        {
            var target = r.TargetMet switch { true => "met", false => "MISSED", null => r.Errors is null ? "" : "error" };
            output.WriteLine(Row(r.Scenario, N(r.Ours), N(r.Raw), r.Ratio?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-",
                N(r.MassTransit), D(r.P50Ms), D(r.P99Ms), N(r.AllocBytesPerMsg), target));
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

    private static string Row(string scenario, string ours, string raw, string ratio, string mt, string p50, string p99, string alloc, string target) =>
        $"{scenario,-48} {ours,12} {raw,12} {ratio,6} {mt,14} {p50,9} {p99,9} {alloc,9}  {target}";

    private static string N(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";
    private static string D(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
