using Confluent.Kafka;

namespace Messaging.Kafka.Tests;

/// <summary>
/// Finds the first offset of a partition whose record timestamp is at or after a time by reading records (binary
/// search over offsets). A work-around for librdkafka's mock cluster, which has no time index and answers
/// ListOffsets-by-timestamp (KIP-33) with "no such record": on the mock, tests turn a time into offsets with this and
/// replay with <see cref="KafkaReplay.ResetToOffsetAsync"/>; on a real cluster <see cref="KafkaReplay.ResetToTimestampAsync"/>
/// asks the broker. Assumes timestamps grow with offsets (one producer clock).
/// </summary>
internal static class MockTimestampSearch
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The first offset at or after <paramref name="time"/>, or the high watermark when none.</summary>
    public static long FirstAtOrAfter(ConsumerConfig baseConfig, TopicPartition partition, long low, long high, DateTimeOffset time)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(baseConfig)) { EnableAutoCommit = false, GroupId = "messaging-replay-probe" };
        using var reader = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        var wanted = time.ToUnixTimeMilliseconds();
        if (high <= low || TimestampAt(reader, partition, high - 1) < wanted) return high;
        var (from, to) = (low, high - 1); // the answer is in [from, to]
        while (from < to)
        {
            var mid = from + ((to - from) / 2);
            if (TimestampAt(reader, partition, mid) >= wanted) to = mid;
            else from = mid + 1;
        }
        return from;
    }

    private static long TimestampAt(IConsumer<Ignore, Ignore> reader, TopicPartition partition, long offset)
    {
        reader.Assign(new TopicPartitionOffset(partition, offset));
        var deadline = DateTime.UtcNow + ReadTimeout;
        while (DateTime.UtcNow < deadline)
        {
            // The first record at or after the offset (offsets can be missing after compaction).
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { } record) return record.Message.Timestamp.UnixTimestampMs;
        }
        throw new MessagingException($"Replay: no record could be read at {partition.Topic}[{partition.Partition.Value}] offset {offset} within {ReadTimeout.TotalSeconds:0} s.");
    }
}
