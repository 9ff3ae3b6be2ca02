namespace Messaging.Kafka;

/// <summary>
/// What a consumer runs in parallel within a partition, and so which records keep their order
/// (<c>Messaging:Kafka:OrderingMode</c>; <c>CommitMode</c> in earlier builds). Offsets are committed the same way in both
/// modes: per partition only the contiguous watermark, the offset after the longest run of
/// finished records from the last commit. A record that is not finished (running, failed, cancelled) is
/// never skipped by a later commit; on restart or rebalance it and everything after it is consumed again.
/// </summary>
public enum KafkaOrderingMode
{
    /// <summary>One record at a time per partition, in offset order; different partitions run in parallel up to
    /// <see cref="KafkaOptions.MaxConcurrency"/>. A delayed retry (<c>RetryLater</c>) pauses its partition while it
    /// waits. The default.</summary>
    PartitionOrder = 0,

    /// <summary>Records with different keys of one partition run in parallel (per-key lanes); records with the
    /// same key (or no key) run one at a time in offset order. Completion is out of order, commits are not: after a
    /// restart or rebalance the records after the oldest unfinished one are delivered again even if they had
    /// finished (the inbox absorbs them). A delayed retry holds only its key; the partition is paused only when
    /// <see cref="KafkaOptions.MaxBufferedPerPartition"/> fills up.</summary>
    KeyOrder = 1,
}
