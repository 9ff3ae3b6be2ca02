using System.Globalization;
using System.Text;

namespace Messaging.ForeignClients;

/// <summary>One way a producer in another language sends messages (its plan entries, each tagged with the
/// <c>scenario</c> header), and what must become of them.</summary>
/// <param name="Encoding">How the envelope travels, for the report.</param>
/// <param name="Reason">Text the dead-letter reason must contain, when some are dead-lettered.</param>
public sealed record WireScenario(string Name, string Encoding, IReadOnlyList<object> Messages, int Applied, int Skipped, int DeadLettered, string? Reason = null);

/// <summary>What became of one scenario's messages, counted independently: business rows (applied), the inbox's
/// skips seen by <see cref="WireTallyFilter"/>, and the dead-letter destination's messages with their reason.</summary>
public sealed record WireOutcome(WireScenario Scenario, int Applied, int Skipped, int DeadLettered, IReadOnlyList<string> Reasons)
{
    public static string Table(string broker, IEnumerable<WireOutcome> outcomes)
    {
        var table = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"{broker}: messages sent by the foreign client");
        table.AppendLine("| scenario | how the envelope travels | sent | applied | dead-lettered | skipped as duplicates | dead-letter reason |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var o in outcomes)
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {o.Scenario.Name} | {o.Scenario.Encoding} | {o.Scenario.Messages.Count} | {o.Applied} | {o.DeadLettered} | {o.Skipped} | {o.Reasons.Distinct().FirstOrDefault() ?? ""} |");
        return table.ToString();
    }
}
