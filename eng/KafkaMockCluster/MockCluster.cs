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

    private readonly IntPtr _cluster;
    private volatile bool _disposed;

    private MockCluster(IProducer<Null, Null> owner, IntPtr cluster, string bootstrapServers)
    {
        _owner = owner;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The native rd_kafka_mock_cluster_t pointer; after <see cref="Dispose"/> it throws instead of handing out
    /// freed memory (a fault injected late by a test would otherwise crash the test host in librdkafka).</summary>
    public IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _cluster;
        }
    }

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
            LoadedLibrdkafka.ResolveFor(typeof(MockCluster).Assembly);
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

    public void Dispose()
    {
        _disposed = true;
        _owner.Dispose();
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions (the Admin API's CreateTopics times out on the mock).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 3) =>
        Check(rd_kafka_mock_topic_create(Cluster, topic, partitions, replicationFactor), "topic_create " + topic);

    /// <summary>Takes broker <paramref name="brokerId"/> (1..brokers) down: connections closed, new ones refused.</summary>
    public void SetBrokerDown(int brokerId) => Check(rd_kafka_mock_broker_set_down(Cluster, brokerId), "broker_set_down");

    /// <summary>Brings broker <paramref name="brokerId"/> back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(rd_kafka_mock_broker_set_up(Cluster, brokerId), "broker_set_up");

    /// <summary>Makes the next requests with Kafka API key <paramref name="apiKey"/> (0 = Produce, 8 = OffsetCommit)
    /// fail with the given Kafka error codes, one per request, on whichever broker receives them.</summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes) =>
        rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (UIntPtr)errorCodes.Length, errorCodes);

    /// <summary>Delays every response of broker <paramref name="brokerId"/> by <paramref name="rttMs"/> (ms); requests are
    /// still handled (and produced records appended) when they arrive.</summary>
    public void SetBrokerRtt(int brokerId, int rttMs) => Check(rd_kafka_mock_broker_set_rtt(Cluster, brokerId, rttMs), "broker_set_rtt");

    /// <summary>Makes broker <paramref name="brokerId"/> the leader of the partition (clients learn it from their next metadata).</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(rd_kafka_mock_partition_set_leader(Cluster, topic, partition, brokerId), "partition_set_leader");

    /// <summary>Makes the next request with Kafka API key <paramref name="apiKey"/> that reaches broker <paramref name="brokerId"/>
    /// fail with <paramref name="errorCode"/> (0: succeed), its response held back <paramref name="rttMs"/> (ms). A broker's errors
    /// are taken before the cluster-wide ones of <see cref="PushRequestErrors"/>, and <see cref="BrokerErrorsLeft"/> counts them.</summary>
    public void PushBrokerRequestError(int brokerId, short apiKey, int errorCode, int rttMs) =>
        Check(rd_kafka_mock_broker_push_request_error_rtts(Cluster, brokerId, apiKey, 1, errorCode, rttMs), "broker_push_request_error_rtts");

    /// <summary>Errors pushed with <see cref="PushBrokerRequestError"/> that no request of <paramref name="apiKey"/> has taken yet.</summary>
    public long BrokerErrorsLeft(int brokerId, short apiKey)
    {
        Check(rd_kafka_mock_broker_error_stack_cnt(Cluster, brokerId, apiKey, out var count), "broker_error_stack_cnt");
        return (long)count;
    }

    /// <summary>From now on the mock records every request it receives (see <see cref="Requests"/>).</summary>
    public void StartRequestTracking() => rd_kafka_mock_start_request_tracking(Cluster);

    /// <summary>The requests received since <see cref="StartRequestTracking"/>, in arrival order.</summary>
    public IReadOnlyList<MockRequest> Requests()
    {
        var array = rd_kafka_mock_get_requests(Cluster, out var count);
        if (array == IntPtr.Zero) return [];
        try
        {
            var requests = new List<MockRequest>((int)count);
            for (var i = 0; i < (int)count; i++)
            {
                var request = Marshal.ReadIntPtr(array, i * IntPtr.Size);
                requests.Add(new MockRequest(rd_kafka_mock_request_id(request), rd_kafka_mock_request_api_key(request), rd_kafka_mock_request_timestamp(request)));
            }
            return requests;
        }
        finally
        {
            rd_kafka_mock_request_destroy_array(array, count);
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0) throw new InvalidOperationException($"rd_kafka_mock_{what} failed with error {error}.");
    }

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
    private static extern int rd_kafka_mock_topic_create(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitionCount, int replicationFactor);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [DllImport("librdkafka")]
    private static extern void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, UIntPtr count, int[] errors);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_broker_set_rtt(IntPtr mcluster, int brokerId, int rttMs);

    [DllImport("librdkafka")]
    private static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_partition_set_leader(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partition, int brokerId);

    // C variadic (cnt tuples of int error, int rtt_ms), declared with the one tuple we pass: on the System V x86-64 and
    // Linux AArch64 calling conventions variadic int arguments travel exactly like fixed ones.
    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_broker_push_request_error_rtts(IntPtr mcluster, int brokerId, short apiKey, nuint count, int error, int rttMs);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_broker_error_stack_cnt(IntPtr mcluster, int brokerId, short apiKey, out nuint count);

    [DllImport("librdkafka")]
    private static extern void rd_kafka_mock_start_request_tracking(IntPtr mcluster);

    [DllImport("librdkafka")]
    private static extern IntPtr rd_kafka_mock_get_requests(IntPtr mcluster, out nuint count);

    [DllImport("librdkafka")]
    private static extern void rd_kafka_mock_request_destroy_array(IntPtr requests, nuint count);

    [DllImport("librdkafka")]
    private static extern int rd_kafka_mock_request_id(IntPtr request);

    [DllImport("librdkafka")]
    private static extern short rd_kafka_mock_request_api_key(IntPtr request);

    [DllImport("librdkafka")]
    private static extern long rd_kafka_mock_request_timestamp(IntPtr request);
}

/// <summary>A request the mock cluster received: the broker it reached, its Kafka API key (0 = Produce) and when (µs, monotonic clock).</summary>
internal readonly record struct MockRequest(int BrokerId, short ApiKey, long TimestampMicros);

/// <summary>
/// Points this assembly's <c>[DllImport("librdkafka")]</c> at the librdkafka that Confluent.Kafka has
/// already loaded. librdkafka.redist ships several Linux builds (librdkafka.so needs libsasl2.so.3, which
/// Debian 12 lacks; centos8-librdkafka.so does not) and Confluent.Kafka picks the one that loads; the
/// default probe would try only librdkafka.so, and a second copy of the library could not use the first
/// copy's mock cluster anyway.
/// </summary>
internal static class LoadedLibrdkafka
{
    private static int _registered;

    /// <summary>Registers the resolver for <paramref name="assembly"/> once; call after a Confluent.Kafka client exists.</summary>
    public static void ResolveFor(Assembly assembly)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "librdkafka") return IntPtr.Zero;
        var path = MappedPath();
        // Loading a path that is already mapped returns the same handle (dlopen reference count).
        return path is not null && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
    }

    /// <summary>The file of the librdkafka mapped into this process (Linux /proc/self/maps), or null elsewhere.</summary>
    private static string? MappedPath()
    {
        if (!File.Exists("/proc/self/maps")) return null;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..];
            if (Path.GetFileName(path).Contains("librdkafka", StringComparison.Ordinal)) return path;
        }
        return null;
    }
}
