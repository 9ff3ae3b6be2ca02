using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Eng.KafkaMock;
using Messaging.Hosting;
using Messaging.Transport;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>
/// A Kafka cluster for the tests: MESSAGING_KAFKA (bootstrap servers of a real cluster), else the mock
/// cluster started by eng/kafka-mock.sh (.state/kafka.bootstrap), else a mock cluster in this process.
/// </summary>
public sealed class KafkaFixture : ITransportFixture
{
    private MockCluster? _inProcess;

    public string TransportName => "Kafka";

    /// <summary>True when MESSAGING_KAFKA names a real cluster; false on librdkafka's mock cluster.</summary>
    public static bool RealCluster => KafkaTarget.RealBootstrapServers() is not null;
    public string BootstrapServers { get; private set; } = "";
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Kafka:BootstrapServers"] = BootstrapServers,
        ["Messaging:Kafka:SessionTimeoutMs"] = KafkaTarget.SessionTimeoutMs(mock: !RealCluster),
    };

    public void Register(MessagingBuilder builder) => builder.AddKafka();

    public Task InitializeAsync()
    {
        BootstrapServers = KafkaTarget.RealBootstrapServers() ?? LocalKafka.BootstrapServers() ?? StartInProcess();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _inProcess?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout)
    {
        var record = await Task.Run(() => ReadFirst(destination + ".dlq", timeout));
        Assert.True(KafkaEnvelopeMapper.TryReadEnvelope(record, out var envelope, out var error), error);
        return envelope;
    }

    /// <summary>Reads the first record of <paramref name="topic"/> with a fresh consumer group.</summary>
    public ConsumeResult<string?, byte[]> ReadFirst(string topic, TimeSpan timeout) => ReadFirst(BootstrapServers, topic, timeout);

    /// <summary>Reads the first record of <paramref name="topic"/> with a fresh consumer group; waits while the topic is not
    /// there yet, and throws any other consume error at once.</summary>
    public static ConsumeResult<string?, byte[]> ReadFirst(string bootstrapServers, string topic, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            AllowAutoCreateTopics = true,
        }).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record) return record;
                }
                catch (ConsumeException ex) when (ex.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic) { } // not there yet
            }
        }
        finally
        {
            consumer.Close();
        }
        throw new TimeoutException($"No record on '{topic}' within {timeout.TotalSeconds:0.#} s.");
    }

    /// <summary>The committed offset of a consumer group on one partition (Offset.Unset when none).</summary>
    public Offset Committed(string group, TopicPartition partition) => KafkaTarget.Committed(BootstrapServers, group, partition);

    private string StartInProcess()
    {
        _inProcess = MockCluster.Start();
        return _inProcess.BootstrapServers;
    }
}

public sealed class KafkaCompliance(KafkaFixture fixture) : TransportComplianceTests<KafkaFixture>(fixture);
