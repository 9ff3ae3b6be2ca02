namespace Messaging.Benchmarks.Harness;

/// <summary>This harness run's id: a suffix for queues, exchanges, topics and databases, so parallel runs never share state.</summary>
public static class BenchRun
{
    public static string Id { get; } = Guid.NewGuid().ToString("N")[..6];
}
