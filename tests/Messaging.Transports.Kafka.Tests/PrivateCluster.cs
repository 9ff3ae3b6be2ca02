using Confluent.Kafka;
using Messaging.Eng.KafkaMock;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>
/// The Kafka cluster one test owns. With MESSAGING_KAFKA set it is that real cluster (the test keeps to its own uniquely
/// named topics and consumer groups); otherwise a mock cluster of its own, so its fault injection never disturbs other
/// tests. A test that injects a fault only the mock can give starts with <see cref="StartMock(string)"/>, which skips it on
/// a real cluster with the reason.
/// </summary>
internal sealed class PrivateCluster : IDisposable
{
    private readonly MockCluster? _mock;

    private PrivateCluster(MockCluster? mock, string bootstrapServers)
    {
        _mock = mock;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    /// <summary>True on librdkafka's mock cluster, false on the real cluster MESSAGING_KAFKA names.</summary>
    public bool IsMock => _mock is not null;

    /// <summary>The mock, for fault injection. On a real cluster this throws: a test that injects a fault must start with
    /// <see cref="StartMock(string)"/>, so that it is skipped there with its reason instead of running without the fault.</summary>
    public MockCluster Mock => _mock ?? throw new InvalidOperationException(
        "This test injects a mock-cluster fault but was started with PrivateCluster.Start(); use PrivateCluster.StartMock(fault) so it is skipped on a real cluster.");

    /// <summary>A cluster for a test that needs no fault injection: the real one MESSAGING_KAFKA names, else a private mock.</summary>
    public static PrivateCluster Start() => Start(KafkaTarget.RealBootstrapServers());

    /// <param name="realBootstrapServers">The real cluster's bootstrap servers, null for a mock cluster.</param>
    internal static PrivateCluster Start(string? realBootstrapServers) =>
        realBootstrapServers is null ? StartMockCluster() : new PrivateCluster(null, realBootstrapServers);

    /// <summary>A private mock cluster for a test that injects <paramref name="fault"/>; skips the test (with the reason) when
    /// MESSAGING_KAFKA names a real cluster.</summary>
    public static PrivateCluster StartMock(string fault) => StartMock(fault, KafkaTarget.RealBootstrapServers());

    internal static PrivateCluster StartMock(string fault, string? realBootstrapServers)
    {
        Skip.If(realBootstrapServers is not null, KafkaTarget.MockOnlyReason(fault));
        return StartMockCluster();
    }

    public Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Kafka:BootstrapServers"] = BootstrapServers,
            ["Messaging:Kafka:SessionTimeoutMs"] = KafkaTarget.SessionTimeoutMs(IsMock),
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return settings;
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        if (_mock is not null) _mock.CreateTopic(topic, partitions);
        else KafkaTarget.CreateTopic(BootstrapServers, topic, partitions);
    }

    /// <summary>The committed offset of a consumer group on one partition (Offset.Unset when none).</summary>
    public Offset Committed(string group, string topic, int partition = 0) =>
        KafkaTarget.Committed(BootstrapServers, group, new TopicPartition(topic, partition));

    /// <summary>The partition's end: the offset its next record will get.</summary>
    public long EndOffset(string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = BootstrapServers, GroupId = "end-offsets" })
            .SetLogHandler((_, _) => { }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value;
    }

    public void Dispose() => _mock?.Dispose();

    private static PrivateCluster StartMockCluster()
    {
        var mock = MockCluster.Start();
        return new PrivateCluster(mock, mock.BootstrapServers);
    }
}
