using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Messaging.Kafka;

/// <summary>
/// The Kafka transport's metrics: the <see cref="Meter"/> named <see cref="MeterName"/> with the observable
/// gauge <see cref="ConsumerLag"/>, one measurement per assigned partition of every running consumer, and the
/// counter <see cref="RecordsDeletedResets"/>.
/// Subscribe with OpenTelemetry (<c>AddMeter("Messaging.Kafka")</c>) or a <see cref="MeterListener"/>.
/// </summary>
public static class KafkaTelemetry
{
    /// <summary>The meter name: <c>Messaging.Kafka</c>.</summary>
    public const string MeterName = "Messaging.Kafka";

    /// <summary>Gauge <c>messaging.kafka.consumer.lag</c> (unit <c>{message}</c>): per partition, the partition's high
    /// watermark minus the consumer's position, where the position is the next offset not yet handled (records
    /// consumed but still running or queued count as lag). Attributes <c>messaging.consumer.group.name</c>,
    /// <c>messaging.destination.name</c> (topic) and <c>messaging.destination.partition.id</c>. Refreshed about
    /// once a second by each consumer; a partition disappears when it is revoked.</summary>
    public const string ConsumerLag = "messaging.kafka.consumer.lag";

    /// <summary>Counter <c>messaging.kafka.consumer.offset_resets.out_of_range</c> (unit <c>{reset}</c>): how many times a
    /// consumer's position was behind the partition's log start (Kafka error OFFSET_OUT_OF_RANGE: retention or
    /// deletion removed records the group had not handled yet) and librdkafka reset it to the earliest offset. Each
    /// one means records lost to this group; alert on any increase. Attribute <c>messaging.consumer.group.name</c>.</summary>
    public const string RecordsDeletedResets = "messaging.kafka.consumer.offset_resets.out_of_range";

    private static readonly ConcurrentDictionary<(string Group, string Topic, int Partition), long> Lags = new();
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> OutOfRangeResets = Meter.CreateCounter<long>(RecordsDeletedResets, "{reset}",
        "Positions reset because the records at the committed offset had been deleted before the group handled them");

    static KafkaTelemetry()
    {
        Meter.CreateObservableGauge(ConsumerLag, Observe, "{message}", "Records of a partition not yet handled by the consumer group");
    }

    internal static void RecordOutOfRangeReset(string group) =>
        OutOfRangeResets.Add(1, new KeyValuePair<string, object?>("messaging.consumer.group.name", group));

    internal static void SetLag(string group, string topic, int partition, long lag) => Lags[(group, topic, partition)] = Math.Max(0, lag);

    internal static void RemoveLag(string group, string topic, int partition) => Lags.TryRemove((group, topic, partition), out _);

    private static IEnumerable<Measurement<long>> Observe() =>
        Lags.Select(entry => new Measurement<long>(entry.Value,
            new KeyValuePair<string, object?>("messaging.consumer.group.name", entry.Key.Group),
            new KeyValuePair<string, object?>("messaging.destination.name", entry.Key.Topic),
            new KeyValuePair<string, object?>("messaging.destination.partition.id", entry.Key.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
