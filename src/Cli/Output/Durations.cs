using System.Globalization;

namespace Messaging.Cli.Output;

/// <summary>Reads <c>--older-than</c> style durations: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>, or a .NET time span (<c>1.02:00:00</c>).</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var value = text.Trim();
        if (value.Length > 1 && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            switch (char.ToLowerInvariant(value[^1]))
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new CliException($"{option} is '{text}'; give a duration such as 90s, 30m, 12h or 7d.");
    }
}
