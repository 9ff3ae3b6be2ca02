using System.Globalization;

namespace Messaging.FaultHarness;

/// <summary>Reads the children's console logs (one entry starts with its <c>HH:mm:ss.fff</c> timestamp).</summary>
internal static class ChildLogs
{
    /// <summary>Log entries of every child written between <paramref name="from"/> and <paramref name="to"/> (local time, same day).</summary>
    public static int CountEntries(string stateDir, DateTime from, DateTime to)
    {
        var count = 0;
        foreach (var file in Directory.GetFiles(stateDir, "*.log"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.Length < 12 || !TimeSpan.TryParseExact(line[..12], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var time)) continue;
                var at = from.Date + time;
                if (at >= from && at <= to) count++;
            }
        }
        return count;
    }
}
