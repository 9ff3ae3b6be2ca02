using System.Runtime.InteropServices;

namespace Messaging.FaultHarness.Kafka;

/// <summary>librdkafka mock cluster fault injection (rdkafka_mock.h).</summary>
internal static class MockFaults
{
    private const int ProduceApiKey = 0;
    private const int NotEnoughReplicas = 19;      // RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS: retriable
    private const int NotLeaderForPartition = 6;   // RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION: retriable

    public static void BrokerDown(IntPtr cluster, int brokerId) => Check(rd_kafka_mock_broker_set_down(cluster, brokerId), "broker_set_down");
    public static void BrokerUp(IntPtr cluster, int brokerId) => Check(rd_kafka_mock_broker_set_up(cluster, brokerId), "broker_set_up");

    /// <summary>The next <paramref name="count"/> Produce requests fail with retriable errors.</summary>
    public static void ProduceErrors(IntPtr cluster, int count)
    {
        var errors = Enumerable.Range(0, count).Select(i => i % 2 == 0 ? NotEnoughReplicas : NotLeaderForPartition).ToArray();
        rd_kafka_mock_push_request_errors_array(cluster, ProduceApiKey, (nuint)errors.Length, errors);
    }

    private static void Check(int error, string what)
    {
        if (error != 0) throw new InvalidOperationException($"rd_kafka_mock_{what} failed with error {error}");
    }

    [DllImport("librdkafka")] private static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);
    [DllImport("librdkafka")] private static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);
    [DllImport("librdkafka")] private static extern void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint cnt, int[] errors);
}
