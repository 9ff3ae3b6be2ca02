using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// The main job end to end (samples/OrderService's flow): each order is one transaction with a business row and an
/// outbox message, published with confirms, consumed through the durable inbox by a handler that writes a row.
/// Ours against Wolverine 6.62 where Wolverine has the same pieces (PostgreSQL durable outbox and inbox).
/// </summary>
public static class E2eOrders
{
    /// <summary>Messages handled at once on the consumer (ours ConcurrentMessageLimit / MaxConcurrency, Wolverine's partition slots: 5).</summary>
    public const int Concurrency = 5;

    /// <summary>RabbitMQ prefetch of both consumers.</summary>
    public const int Prefetch = 100;

    public static Scenario Create(string broker, string db)
    {
        // Wolverine's outbox and the raw twin are measured on PostgreSQL only.
        var withPeers = db == "postgres";
        return new Scenario($"e2e.orders.{broker}.{db}", 0.5,
            () => withPeers ? [new E2eOursSide(broker, db), new E2eRawSide(broker), new E2eWolverineSide(broker)] : [new E2eOursSide(broker, db)],
            $"{E2eFlow.Writers} writers place one order per transaction (business row + outbox message), {E2eFlow.Keys} keys (customers); "
            + $"published with {(broker == "kafka" ? "acks=all + idempotence" : "publisher confirms")}, consumed through the durable inbox by a handler writing a row, "
            + $"{Concurrency} at a time with per-key order; msgs/s = first order placed to last handler row; latency = the placing transaction's return to the handler's row"
            + (withPeers
                ? "; raw = the same flow and guarantees by hand on Npgsql and the broker's client (one statement per order, batched publish with one wait for confirms, "
                  + "one statement per consumer batch for inbox and handler rows, ack or offset after it); "
                  + "wolverine = WolverineFx 6.62 with the same guarantees in its own process (bench/Peers.Wolverine)"
                : "; no raw or Wolverine twin (both are measured on PostgreSQL)"),
            withPeers
                ? new Target("ours >= 2 x Wolverine msgs/s, lower p99, ours >= 0.7 x raw",
                    r => r.OursVsWolverine >= 2 && r.P99Ms < r.WolverineP99Ms && r.Ratio >= 0.7)
                : null);
    }

    /// <summary>Builds the peer program before the first scenario that needs it (a build must not count against a setup timeout).</summary>
    public static async Task PrepareAsync(IEnumerable<Scenario> scenarios, TextWriter log, CancellationToken cancellationToken)
    {
        if (scenarios.Any(s => s.Name.StartsWith("e2e.", StringComparison.Ordinal) && s.Name.EndsWith(".postgres", StringComparison.Ordinal)))
            await E2eWolverineSide.LocateAsync(log, cancellationToken);
    }
}
