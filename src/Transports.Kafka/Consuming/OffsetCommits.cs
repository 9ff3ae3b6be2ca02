using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// The commit strategy, in one place. The consumer never stores an offset by itself (<c>enable.auto.offset.store=false</c>):
/// after every poll the polling thread stores each partition's contiguous watermark of finished records
/// (<see cref="PartitionOffsets.Committable"/>, through <see cref="Store"/>), and librdkafka commits what was stored in
/// the background every <see cref="KafkaOptions.AutoCommitIntervalMs"/> (<c>enable.auto.commit=true</c>) and at close.
/// On revoke, after the partitions' running records drained, <see cref="CommitOnRevoke"/> stores and commits their
/// watermarks synchronously while they are still owned. A record not finished is never behind a stored offset, so a
/// crash or rebalance redelivers, never skips (the inbox absorbs the redelivery).
/// </summary>
internal sealed class OffsetCommits(string group, ILogger logger)
{
    /// <summary>Sets the consumer's commit settings (librdkafka <c>enable.auto.commit</c>, <c>enable.auto.offset.store</c>,
    /// <c>auto.commit.interval.ms</c>).</summary>
    public static void Configure(ConsumerConfig config, KafkaOptions options)
    {
        config.EnableAutoCommit = true;        // commits what was stored, in the background...
        config.EnableAutoOffsetStore = false;  // ...and offsets are stored only after the processor finished
        config.AutoCommitIntervalMs = options.AutoCommitIntervalMs;
    }

    /// <summary>Stores <paramref name="offset"/> for the next background commit; false (logged) when the client refused it,
    /// for example for a partition it no longer owns.</summary>
    public bool Store(IConsumer<string?, byte[]> consumer, TopicPartitionOffset offset)
    {
        try
        {
            consumer.StoreOffset(offset);
            return true;
        }
        catch (KafkaException ex)
        {
            Log.StoreOffsetFailed(logger, group, offset.ToString(), $"{ex.Error.Code}: {ex.Error.Reason}");
            return false;
        }
    }

    /// <summary>Stores and commits <paramref name="offsets"/> of partitions being revoked; returns what happened, for the log.</summary>
    public string CommitOnRevoke(IConsumer<string?, byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0) return "in-flight work drained, nothing finished to commit";
        // Stored too: with auto-commit on, librdkafka commits the stored offsets of partitions it unassigns (after this
        // callback) and at close, which would take the commit below back to the last watermark stored before the drain.
        foreach (var offset in offsets) Store(consumer, offset);
        try
        {
            consumer.Commit(offsets);
            return "in-flight work drained and watermarks committed";
        }
        catch (KafkaException ex)
        {
            // For example RebalanceInProgress: the next owner starts from the last successful commit, so the
            // records finished since then are delivered again (never skipped); the inbox absorbs them.
            Log.CommitFailed(logger, group, $"{ex.Error.Code}: {ex.Error.Reason}");
            return $"in-flight work drained, commit failed ({ex.Error.Code}): the next owner resumes from the last committed offsets";
        }
    }
}
