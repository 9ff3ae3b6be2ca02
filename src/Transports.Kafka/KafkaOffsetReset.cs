namespace Messaging.Kafka;

/// <summary>Where a consumer group starts reading a partition it has no committed offset for (librdkafka
/// <c>auto.offset.reset</c>): a new group, a partition added to a topic, or a committed offset the broker no longer
/// has (deleted by retention, <c>OFFSET_OUT_OF_RANGE</c>; logged as event 3021).</summary>
public enum KafkaOffsetReset
{
    /// <summary>From the oldest record still in the partition: a new group reads what was published before it first
    /// started, and nothing the topic still holds is skipped. The default.</summary>
    Earliest,
    /// <summary>From the end: a new group reads only what is published after it joined. Records published before it
    /// and, after an out-of-range reset, every record up to the end are never handled by this group.</summary>
    Latest,
}
