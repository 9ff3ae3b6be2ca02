namespace Messaging.FaultHarness;

/// <summary>How the orchestrator runs: fault pacing, bounds and output.</summary>
public sealed record RunOptions(int FaultIntervalMs, int MaxFaults, int ProduceRate, TimeSpan Timeout, FileInfo? Json);
