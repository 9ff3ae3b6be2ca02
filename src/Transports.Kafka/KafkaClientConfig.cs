using Confluent.Kafka;
using Messaging.Kafka.Consuming;

namespace Messaging.Kafka;

/// <summary>Builds the Confluent.Kafka client configurations from <see cref="KafkaOptions"/>, exactly as the transport uses
/// them; for tools and jobs that talk to the same cluster (the <c>messaging</c> tool's lag, replay and dead-letter commands).
/// Each call returns a new configuration the caller may change.</summary>
public static class KafkaClientConfig
{
    /// <summary>Parses <see cref="KafkaOptions.Acks"/> (<c>all</c>/<c>-1</c>, <c>1</c>, <c>0</c>, case-insensitive).</summary>
    /// <param name="value">The configured value.</param>
    /// <returns>The client's <see cref="Acks"/>; null when the value is not allowed.</returns>
    public static Acks? ParseAcks(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "ALL" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => null,
    };

    /// <summary>The producer's configuration: <c>acks</c> as configured (default all), idempotence with <c>acks=all</c>,
    /// at most 5 requests in flight (what the idempotent producer allows while keeping order per partition), murmur2 key
    /// partitioning like the Java client, <c>linger.ms</c> 5, delivery reports on.</summary>
    /// <param name="options">The Kafka settings.</param>
    /// <returns>A new configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static ProducerConfig Producer(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var acks = ParseAcks(options.Acks) ?? Acks.All;
        return new(ClientProperties(options)) // first: the library's own settings below win
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

    /// <summary>The consumer's configuration for <paramref name="groupId"/>: offsets stored only after the processor finished
    /// (<c>enable.auto.offset.store=false</c>) and committed in the background, the configured session, poll and commit
    /// intervals, heartbeat at most a third of the session timeout, the configured assignment strategy.</summary>
    /// <param name="options">The Kafka settings.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <returns>A new configuration.</returns>
    public static ConsumerConfig Consumer(KafkaOptions options, string groupId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ConsumerConfig(ClientProperties(options))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "messaging-consumer",
            GroupId = groupId,
            AutoOffsetReset = options.AutoOffsetReset == KafkaOffsetReset.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            SessionTimeoutMs = options.SessionTimeoutMs,
            // At most a third of the session timeout (the Java client's rule of thumb), so a short
            // SessionTimeoutMs does not expire between two heartbeats (librdkafka's default is 3000 ms).
            HeartbeatIntervalMs = Math.Clamp(options.SessionTimeoutMs / 3, 100, 3_000),
            MaxPollIntervalMs = options.MaxPollIntervalMs,
            AllowAutoCreateTopics = true,
            EnablePartitionEof = false,
            PartitionAssignmentStrategy = options.PartitionAssignmentStrategy switch
            {
                KafkaAssignmentStrategy.Range => Confluent.Kafka.PartitionAssignmentStrategy.Range,
                KafkaAssignmentStrategy.RoundRobin => Confluent.Kafka.PartitionAssignmentStrategy.RoundRobin,
                _ => Confluent.Kafka.PartitionAssignmentStrategy.CooperativeSticky,
            },
        };
        OffsetCommits.Configure(config, options); // the commit strategy's settings live with the strategy
        return config;
    }

    /// <summary>The admin client's configuration (topic metadata, committed offsets, watermarks).</summary>
    /// <param name="options">The Kafka settings.</param>
    /// <returns>A new configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static AdminClientConfig Admin(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AdminClientConfig(ClientProperties(options)) { BootstrapServers = options.BootstrapServers, ClientId = "messaging-admin" };
        config.Set("allow.auto.create.topics", "true");
        return config;
    }

    /// <summary>The librdkafka properties the library sets on its clients, for its guarantees or from a key of its own
    /// (named, when it has one), which <see cref="KafkaOptions.ClientProperties"/> may not set. Names are compared
    /// case-insensitively; librdkafka's aliases are included.</summary>
    internal static readonly IReadOnlyDictionary<string, string> OwnedProperties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["bootstrap.servers"] = "BootstrapServers",
        ["metadata.broker.list"] = "BootstrapServers",
        ["acks"] = "Acks",
        ["request.required.acks"] = "Acks",
        ["enable.idempotence"] = "EnableIdempotence",
        ["message.timeout.ms"] = "MessageTimeoutMs",
        ["delivery.timeout.ms"] = "MessageTimeoutMs",
        ["session.timeout.ms"] = "SessionTimeoutMs",
        ["heartbeat.interval.ms"] = "SessionTimeoutMs",
        ["max.poll.interval.ms"] = "MaxPollIntervalMs",
        ["partition.assignment.strategy"] = "PartitionAssignmentStrategy",
        ["auto.offset.reset"] = "AutoOffsetReset",
        ["auto.commit.interval.ms"] = "AutoCommitIntervalMs",
        ["max.in.flight.requests.per.connection"] = "",
        ["max.in.flight"] = "",
        ["partitioner"] = "",
        ["enable.delivery.reports"] = "",
        ["delivery.report.fields"] = "",
        ["group.id"] = "",
        ["enable.auto.commit"] = "",
        ["enable.auto.offset.store"] = "",
        ["enable.partition.eof"] = "",
        ["transactional.id"] = "",
    };

    private static Dictionary<string, string> ClientProperties(KafkaOptions options) => new(options.ClientProperties, StringComparer.Ordinal);
}
