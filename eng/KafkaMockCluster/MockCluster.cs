using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Messaging.Eng.KafkaMock;

/// <summary>
/// librdkafka's mock cluster, owned by a client created with <c>test.mock.num.brokers</c>. Lives as long
/// as that client. Shared by the mock host and the Kafka test fixture (linked source file).
/// </summary>
internal sealed class MockCluster : IDisposable
{
    private readonly IProducer<Null, Null> _owner;

    private MockCluster(IProducer<Null, Null> owner, IntPtr cluster, string bootstrapServers)
    {
        _owner = owner;
        Cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The native rd_kafka_mock_cluster_t pointer.</summary>
    public IntPtr Cluster { get; }

    /// <summary>Comma-separated host:port list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers.</summary>
    public static MockCluster Start(int brokers = 3, int initialRebalanceDelayMs = 100)
    {
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var owner = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            var rk = NativeHandle(owner);
            var cluster = rd_kafka_handle_mock_cluster(rk);
            if (cluster == IntPtr.Zero) throw new InvalidOperationException("rd_kafka_handle_mock_cluster returned NULL: this librdkafka has no mock cluster.");
            var bootstraps = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(cluster))
                ?? throw new InvalidOperationException("rd_kafka_mock_cluster_bootstraps returned NULL.");
            // The mock waits 3 s by default before the first rebalance of a new consumer group.
            rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, initialRebalanceDelayMs);
            return new MockCluster(owner, cluster, bootstraps);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    public void Dispose() => _owner.Dispose();

    private static IntPtr NativeHandle(IClient client)
    {
        var handle = client.Handle;
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException("Confluent.Kafka.Handle.LibrdkafkaHandle not found (Confluent.Kafka changed).");
        var safeHandle = (SafeHandle)property.GetValue(handle)!;
        return safeHandle.DangerousGetHandle();
    }

    [DllImport("librdkafka")]
    private static extern IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

    [DllImport("librdkafka")]
    private static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [DllImport("librdkafka")]
    private static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);
}
