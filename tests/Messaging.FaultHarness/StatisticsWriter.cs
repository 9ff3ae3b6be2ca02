using System.Globalization;
using Messaging.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Messaging.FaultHarness;

/// <summary>The consumer writes its inbox statistics to a file every 200 ms, so they survive a SIGKILL (to within 200 ms).</summary>
public sealed class StatisticsWriter(string stateDir, MessagingStatistics statistics) : BackgroundService
{
    public static string FileFor(string stateDir, int pid) => Path.Combine(stateDir, $"consumer-{pid}.stats");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = FileFor(stateDir, Environment.ProcessId);
        while (true)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{statistics.Handled} {statistics.DuplicatesSkipped}");
            await File.WriteAllTextAsync(file + ".tmp", text, CancellationToken.None);
            File.Move(file + ".tmp", file, overwrite: true);
            if (stoppingToken.IsCancellationRequested) return;
            try { await Task.Delay(200, stoppingToken); } catch (OperationCanceledException) { }
        }
    }

    public static long SumDuplicates(string stateDir) =>
        Directory.GetFiles(stateDir, "consumer-*.stats")
            .Select(f => File.ReadAllText(f).Split(' '))
            .Sum(parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
}
