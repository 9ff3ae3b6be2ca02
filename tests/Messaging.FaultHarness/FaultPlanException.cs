namespace Messaging.FaultHarness;

/// <summary>The run cannot inject what it was asked to (a planned fault this environment cannot give): it fails at once.</summary>
public sealed class FaultPlanException(string message) : Exception(message);
