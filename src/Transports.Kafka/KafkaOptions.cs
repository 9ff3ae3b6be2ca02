namespace Messaging.Kafka;

/// <summary>
/// Kafka transport settings, bound from the configuration section <c>Messaging:Kafka</c> and validated at
/// start-up when <c>Messaging:Transport</c> is <c>Kafka</c> (an invalid value stops the host with an error
/// naming the key). The defaults give confirmed publish: <c>acks=all</c> and an idempotent producer.
/// </summary>
public sealed class KafkaOptions
{
    /// <summary>The configuration section name: <c>Messaging:Kafka</c>.</summary>
    public const string SectionName = "Messaging:Kafka";

    /// <summary><c>Messaging:Kafka:BootstrapServers</c>: comma-separated <c>host:port</c> list of brokers. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary><c>Messaging:Kafka:Acks</c>: how many replicas must store a message before its delivery report
    /// confirms it: <c>all</c> (default; also <c>-1</c>), <c>1</c> or <c>0</c>. Anything but <c>all</c> can lose
    /// confirmed messages when a broker fails and is refused unless <see cref="AllowWeakerDurability"/> is true; the idempotent
    /// producer needs <c>all</c>, so with <c>1</c> or <c>0</c> it is off.</summary>
    public string Acks { get; set; } = "all";

    /// <summary><c>Messaging:Kafka:EnableIdempotence</c>: idempotent producer (no duplicates and no reordering
    /// from producer retries). Default true; false is refused unless <see cref="AllowWeakerDurability"/> is true.</summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary><c>Messaging:Kafka:AllowWeakerDurability</c>: opt-out that accepts <see cref="Acks"/> other than
    /// <c>all</c> or <see cref="EnableIdempotence"/> = false; logged as a warning at start-up. Default false.</summary>
    public bool AllowWeakerDurability { get; set; }

    /// <summary><c>Messaging:Kafka:MessageTimeoutMs</c>: longest time a publish waits for its delivery report,
    /// retries included, before it fails with <see cref="Publishing.PublishFailure.Timeout"/>
    /// (ms, 1000..900000). Default 30000.</summary>
    public int MessageTimeoutMs { get; set; } = 30_000;

    /// <summary><c>Messaging:Kafka:SessionTimeoutMs</c>: how long the consumer group coordinator waits for a
    /// heartbeat before it gives this consumer's partitions to another member (ms, 1000..3600000). Default 45000.</summary>
    public int SessionTimeoutMs { get; set; } = 45_000;

    /// <summary><c>Messaging:Kafka:MaxPollIntervalMs</c>: librdkafka <c>max.poll.interval.ms</c>, the longest gap
    /// between two polls before the consumer leaves the group (ms, SessionTimeoutMs..86400000). Handlers run
    /// off the polling thread and busy partitions are paused, so a handler may take longer than this without
    /// a rebalance. Default 300000.</summary>
    public int MaxPollIntervalMs { get; set; } = 300_000;

    /// <summary><c>Messaging:Kafka:DeadLetterTopicSuffix</c>: appended to a topic's name to name its dead-letter
    /// topic. Default <c>.dlq</c>. Must not be empty.</summary>
    public string DeadLetterTopicSuffix { get; set; } = ".dlq";

    /// <summary><c>Messaging:Kafka:StartupTimeoutMs</c>: longest time start-up waits for the cluster's metadata
    /// and topic creation before it fails (ms, 1000..600000). Default 15000.</summary>
    public int StartupTimeoutMs { get; set; } = 15_000;

    /// <summary><c>Messaging:Kafka:OrderingMode</c>: what runs in parallel within a partition, and so which records
    /// keep their order; see <see cref="KafkaOrderingMode"/>. Offsets are committed the same way in every mode.
    /// <c>Messaging:Kafka:CommitMode</c>, its name in earlier builds, is still read when this key is absent.
    /// Default <see cref="KafkaOrderingMode.PartitionOrder"/>.</summary>
    public KafkaOrderingMode OrderingMode { get; set; } = KafkaOrderingMode.PartitionOrder;

    /// <summary><c>Messaging:Kafka:MaxConcurrency</c>: most records one consumer (endpoint) handles at once
    /// (count, 1..1024). Default 1: one record at a time, in offset order per partition.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary><c>Messaging:Kafka:MaxBufferedPerPartition</c>: consumed records of one partition not yet finished
    /// (running, queued, or waiting for a delayed retry) at which the partition is paused; it resumes once half
    /// of them finished. The consumer keeps polling meanwhile, so a slow handler never exceeds
    /// <c>max.poll.interval.ms</c> (count, 1..100000). Default 500.</summary>
    public int MaxBufferedPerPartition { get; set; } = 500;

    /// <summary><c>Messaging:Kafka:PartitionAssignmentStrategy</c>: see <see cref="KafkaAssignmentStrategy"/>.
    /// Default <see cref="KafkaAssignmentStrategy.CooperativeSticky"/>.</summary>
    public KafkaAssignmentStrategy PartitionAssignmentStrategy { get; set; } = KafkaAssignmentStrategy.CooperativeSticky;

    /// <summary><c>Messaging:Kafka:RevokeDrainTimeoutMs</c>: on partition revoke, how long running handlers of the
    /// revoked partitions may take to finish before they are cancelled and their offsets committed as far as
    /// finished (ms, 0..3600000). The revoke runs inside the poll, so the wait is capped at half of
    /// <see cref="MaxPollIntervalMs"/>. Default 10000.</summary>
    public int RevokeDrainTimeoutMs { get; set; } = 10_000;

    /// <summary><c>Messaging:Kafka:AutoOffsetReset</c>: where this endpoint's consumer group starts on a partition it has
    /// no committed offset for (librdkafka <c>auto.offset.reset</c>): <see cref="KafkaOffsetReset.Earliest"/> (default:
    /// a new group reads the topic from its oldest record) or <see cref="KafkaOffsetReset.Latest"/> (only what is
    /// published after it joined).</summary>
    public KafkaOffsetReset AutoOffsetReset { get; set; } = KafkaOffsetReset.Earliest;

    /// <summary><c>Messaging:Kafka:NoPartitionsDegradedMs</c>: the <c>messaging-kafka</c> health check says Degraded while a
    /// consumer group member has held no partition for longer than this (ms, 1000..86400000): a rebalance that waits for a
    /// member that is gone, or more members than partitions. Default 30000.</summary>
    public int NoPartitionsDegradedMs { get; set; } = 30_000;

    /// <summary><c>Messaging:Kafka:NoProgressUnhealthyMs</c>: the <c>messaging-kafka</c> health check says Unhealthy while a
    /// member's lag is above zero and none of its stored offsets has advanced for longer than this (ms, 1000..86400000): a
    /// hanging handler, or a record retried in place for that long. Default 300000.</summary>
    public int NoProgressUnhealthyMs { get; set; } = 300_000;

    /// <summary><c>Messaging:Kafka:AutoCommitIntervalMs</c>: how often the stored watermarks are committed in the
    /// background (librdkafka <c>auto.commit.interval.ms</c>); revoke and shutdown also commit at once. A crash
    /// redelivers at most what finished in the last interval, and so does a revoke whose commit the broker
    /// refuses mid-rebalance (ms, 100..600000). Default 1000.</summary>
    public int AutoCommitIntervalMs { get; set; } = 1_000;

    /// <summary><c>Messaging:Kafka:ClientProperties</c>: further librdkafka properties, name to value as in librdkafka's
    /// <c>CONFIGURATION.md</c> (for example <c>Messaging:Kafka:ClientProperties:security.protocol</c> = <c>SASL_SSL</c>),
    /// given to every client the transport and the <c>messaging</c> tool make: the producer, the consumers and the admin
    /// client. They are for what the library has no key of its own: TLS and SASL (<c>security.protocol</c>,
    /// <c>ssl.ca.location</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>sasl.password</c>), <c>client.rack</c>,
    /// socket and fetch tuning. A property the library sets itself, for its guarantees or from a key of its own (acks,
    /// idempotence, offset storing and committing, group, partitioner, timeouts), is refused at start-up naming it, and
    /// so is a name or value librdkafka does not accept (the start-up error quotes librdkafka's refusal, which may name the
    /// value it refused). The library never logs the values. Default: none.</summary>
    public IDictionary<string, string> ClientProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
