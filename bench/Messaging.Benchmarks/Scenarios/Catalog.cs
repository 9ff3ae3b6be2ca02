using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>Every scenario, in the order of importance.</summary>
public static class Catalog
{
    public static IEnumerable<Scenario> All()
    {
        yield return E2eOrders.Create("rabbitmq", "postgres");
        yield return E2eOrders.Create("kafka", "postgres");
        yield return E2eOrders.Create("rabbitmq", "sqlite");
        // After e2e.orders, whose maximum rates they reuse when both run.
        yield return E2eLatency.Create("rabbitmq");
        yield return E2eLatency.Create("kafka");
        foreach (var window in new[] { 256, 1 })
            foreach (var size in new[] { 256, 4096 })
                foreach (var queueType in new[] { "quorum", "classic" })
                    yield return RabbitPublish.Create(size, queueType, window);
        foreach (var prefetch in new[] { 100, 500 })
            yield return RabbitConsume.Create(256, "quorum", prefetch);
        foreach (var size in new[] { 256, 4096 })
            yield return KafkaScenarios.Produce(size);
        yield return KafkaScenarios.Consume(256);
        foreach (var db in new[] { "postgres", "sqlite" })
        {
            yield return OutboxScenarios.Transaction(db, 1);
            yield return OutboxScenarios.Transaction(db, 3);
            yield return OutboxScenarios.Drain(db, "RabbitMq");
            if (db == "postgres") yield return OutboxScenarios.Drain(db, "RabbitMq", keys: 1000);
            yield return OutboxScenarios.Drain(db, "Kafka");
            yield return OutboxScenarios.Latency(db);
        }
        foreach (var db in new[] { "postgres", "sqlite" })
            foreach (var writesRow in new[] { true, false })
                yield return InboxScenarios.Create(db, writesRow);
    }
}
