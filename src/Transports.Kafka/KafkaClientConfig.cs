using Confluent.Kafka;

namespace Messaging.Kafka;

/// <summary>Builds the Confluent.Kafka client configurations from <see cref="KafkaOptions"/>.</summary>
internal static class KafkaClientConfig
{
    /// <summary>Parses <see cref="KafkaOptions.Acks"/>; null when the value is not allowed.</summary>
    public static Acks? ParseAcks(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "ALL" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => null,
    };

    public static ProducerConfig Producer(KafkaOptions options)
    {
        var acks = ParseAcks(options.Acks) ?? Acks.All;
        return new()
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "messaging-producer",
            Acks = acks,
            EnableIdempotence = options.EnableIdempotence && acks == Acks.All, // librdkafka requires acks=all for it
            MaxInFlight = 5, // the most the idempotent producer allows while keeping order per partition
            MessageTimeoutMs = options.MessageTimeoutMs,
            Partitioner = Partitioner.Murmur2Random, // same partition per key as the Java client
            LingerMs = 5,
            EnableDeliveryReports = true,
            DeliveryReportFields = "status", // topic, partition and offset always come back
            AllowAutoCreateTopics = true,
        };
    }

    public static ConsumerConfig Consumer(KafkaOptions options, string groupId) => new()
    {
        BootstrapServers = options.BootstrapServers,
        ClientId = "messaging-consumer",
        GroupId = groupId,
        AutoOffsetReset = options.AutoOffsetReset == KafkaOffsetReset.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
        EnableAutoCommit = true,        // commits what was stored, in the background...
        EnableAutoOffsetStore = false,  // ...and offsets are stored only after the processor finished
        SessionTimeoutMs = options.SessionTimeoutMs,
        // At most a third of the session timeout (the Java client's rule of thumb), so a short
        // SessionTimeoutMs does not expire between two heartbeats (librdkafka's default is 3000 ms).
        HeartbeatIntervalMs = Math.Clamp(options.SessionTimeoutMs / 3, 100, 3_000),
        MaxPollIntervalMs = options.MaxPollIntervalMs,
        AllowAutoCreateTopics = true,
        EnablePartitionEof = false,
        AutoCommitIntervalMs = options.AutoCommitIntervalMs,
        PartitionAssignmentStrategy = options.PartitionAssignmentStrategy switch
        {
            KafkaAssignmentStrategy.Range => Confluent.Kafka.PartitionAssignmentStrategy.Range,
            KafkaAssignmentStrategy.RoundRobin => Confluent.Kafka.PartitionAssignmentStrategy.RoundRobin,
            _ => Confluent.Kafka.PartitionAssignmentStrategy.CooperativeSticky,
        },
    };

    public static AdminClientConfig Admin(KafkaOptions options)
    {
        var config = new AdminClientConfig { BootstrapServers = options.BootstrapServers, ClientId = "messaging-admin" };
        config.Set("allow.auto.create.topics", "true");
        return config;
    }
}
