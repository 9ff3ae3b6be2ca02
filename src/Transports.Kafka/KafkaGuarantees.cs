using System.Globalization;

namespace Messaging.Kafka;

/// <summary>The Kafka transport's part of the start-up report.</summary>
internal static class KafkaGuarantees
{
    /// <summary>The sentence for <paramref name="endpoint"/> with the options <paramref name="o"/> in force.</summary>
    public static string Describe(KafkaOptions o, string endpoint) => string.Create(CultureInfo.InvariantCulture,
        $"acks={o.Acks}, idempotence {(o.EnableIdempotence ? "on" : "OFF")}{(o.AllowWeakerDurability ? " (weaker durability allowed)" : "")}; " +
        $"consumer group {endpoint} (a partition without a committed offset starts at its {(o.AutoOffsetReset == KafkaOffsetReset.Latest ? "end" : "oldest record")}), offsets stored after the handler, ordering mode {o.OrderingMode}, committed every {o.AutoCommitIntervalMs} ms; " +
        $"concurrency {o.MaxConcurrency}, {o.MaxBufferedPerPartition} buffered per partition, {o.PartitionAssignmentStrategy} assignment; " +
        $"dead-letter topic <topic>{o.DeadLetterTopicSuffix}");
}
