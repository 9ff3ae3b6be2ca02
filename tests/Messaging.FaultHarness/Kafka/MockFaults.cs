using Messaging.Eng.KafkaMock;

namespace Messaging.FaultHarness.Kafka;

/// <summary>Produce-request faults for the librdkafka mock cluster (rdkafka_mock.h).</summary>
internal static class MockFaults
{
    private const short ProduceApiKey = 0;
    private const int NotEnoughReplicas = 19;      // RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS: retriable
    private const int NotLeaderForPartition = 6;   // RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION: retriable

    /// <summary>The next <paramref name="count"/> Produce requests fail with retriable errors.</summary>
    public static void ProduceErrors(MockCluster cluster, int count)
    {
        var errors = Enumerable.Range(0, count).Select(i => i % 2 == 0 ? NotEnoughReplicas : NotLeaderForPartition).ToArray();
        cluster.PushRequestErrors(ProduceApiKey, errors);
    }
}
