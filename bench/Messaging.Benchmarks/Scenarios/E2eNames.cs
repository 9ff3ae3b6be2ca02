using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// A contender's own destination, queue (or consumer group) and database in an e2e scenario, suffixed with the
/// run id: contenders never share broker or database state, and neither do parallel runs or the scenarios of one run
/// (a latency scenario's Kafka consumer group must not resume where e2e.orders' group stopped).
/// </summary>
public sealed record E2eNames(string Destination, string Queue, string Database)
{
    /// <param name="role">The contender.</param>
    /// <param name="broker">rabbitmq or kafka.</param>
    /// <param name="db">postgres or sqlite.</param>
    /// <param name="flow">orders (e2e.orders, whose names carry no flow) or latency.</param>
    public static E2eNames For(string role, string broker, string db, string flow = E2eFlows.Orders)
    {
        var stem = $"bench.e2e.{(flow == E2eFlows.Orders ? "" : flow + ".")}{role.ToLowerInvariant()}.{broker}.{db}.{BenchRun.Id}";
        return broker == "kafka"
            ? new E2eNames(stem.Replace('.', '-'), stem, stem.Replace('.', '_'))
            : new E2eNames(stem + ".x", stem, stem.Replace('.', '_'));
    }
}

/// <summary>The e2e scenario families, in contenders' names.</summary>
public static class E2eFlows
{
    public const string Orders = "orders";
    public const string Latency = "latency";
}
