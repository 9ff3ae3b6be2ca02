using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// A contender's own destination, queue (or consumer group) and database in an e2e scenario, suffixed with the
/// run id: contenders never share broker or database state, and neither do parallel runs.
/// </summary>
public sealed record E2eNames(string Destination, string Queue, string Database)
{
    public static E2eNames For(string role, string broker, string db)
    {
        var stem = $"bench.e2e.{role.ToLowerInvariant()}.{broker}.{db}.{BenchRun.Id}";
        return broker == "kafka"
            ? new E2eNames(stem.Replace('.', '-'), stem, stem.Replace('.', '_'))
            : new E2eNames(stem + ".x", stem, stem.Replace('.', '_'));
    }
}
