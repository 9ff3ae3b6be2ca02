using System.Text.Json;

namespace Messaging.Benchmarks.E2e;

/// <summary>
/// The line protocol between the harness and a peer process (bench/Peers.*): the harness writes one JSON
/// <see cref="PeerCommand"/> per line to the peer's stdin; the peer answers each with one line on stdout that
/// starts with <see cref="Prefix"/>. Other stdout lines (a library's banner) are logged by the harness, not parsed.
/// </summary>
public static class E2eProtocol
{
    public const string Prefix = "@@bench ";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// setup (reset the database, start the host), prepare (clear tables between rounds), run (place and wait), exit.
/// A run with <paramref name="PerSecond"/> above 0 offers its orders at that rate (open loop, E2eFlow.OfferAsync);
/// otherwise the writers place them as fast as they go.
/// </summary>
public sealed record PeerCommand(string Command, int Orders = 0, double PerSecond = 0);

/// <summary>The answer to a command; for run: the round's figures, measured inside the peer the same way as ours.</summary>
public sealed record PeerReply(bool Ok, string? Error = null, int Messages = 0, double ElapsedMs = 0, double[]? LatenciesMs = null,
    long AllocatedBytes = 0, Dictionary<string, double>? Extra = null);
