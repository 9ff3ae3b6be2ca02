namespace Messaging.FaultHarness;

/// <summary>How the orchestrator runs: fault pacing, bounds and output.</summary>
/// <param name="Rounds">Above 0: the run injects exactly this many rounds of every fault kind that applies (after the long
/// outage), holds back the producer so that it cannot finish before they are all injected, and fails if any is missing.
/// 0: a fault every interval until everything is applied, each kind at least once (see <see cref="FaultPlan"/>).</param>
/// <param name="LongOutageSeconds">When above 0, the first fault takes the broker away for this long (s): longer than
/// the outbox's retry budget, so a row that spent attempts on it would end Failed. A run that cannot inject it fails.</param>
public sealed record RunOptions(int FaultIntervalMs, int Rounds, int ProduceRate, TimeSpan Timeout, FileInfo? Json, int LongOutageSeconds = 0)
{
    /// <summary><c>none</c> (the broker MESSAGING_RABBITMQ names, or the local one), <c>single</c> or <c>cluster</c> (three
    /// nodes): RabbitMQ in containers the run starts and removes (Containers/RabbitMqContainers.cs).</summary>
    public string RabbitMqContainer { get; init; } = "none";

    /// <summary>Only these fault kinds (empty: every kind that applies to the run).</summary>
    public IReadOnlyList<string> OnlyFaults { get; init; } = [];
}
