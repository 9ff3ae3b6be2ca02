using Messaging.Transport;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// Judges, about once a second on the polling thread, whether this consumer group member consumes, and reports it to the
/// transport's health (<see cref="TransportHealth.ReportConsumerCondition"/>): <see cref="ConsumerCondition.NotConsuming"/>
/// while it has held no partition for longer than <see cref="KafkaOptions.NoPartitionsDegradedMs"/> (a rebalance that
/// waits for a member that is gone, or more members than partitions); <see cref="ConsumerCondition.Stalled"/> while its
/// lag is above zero and no stored offset has advanced for <see cref="KafkaOptions.NoProgressUnhealthyMs"/>.
/// </summary>
internal sealed class ConsumerProgress(string group, KafkaOptions options, TransportHealth health, TimeProvider time)
{
    private const long CheckIntervalMs = 1_000;
    private readonly long _origin = time.GetTimestamp(); // times below are ms since this one
    private long _nextCheck;
    private long _partitionsSince; // subscribed, or last held a partition
    private long _progressSince;   // the stored offsets last moved, or there was no lag
    private long _lastStored = long.MinValue;

    /// <summary>Called after every poll; does its work at most once a second.</summary>
    public void Observe(AssignedPartitions partitions)
    {
        var now = (long)time.GetElapsedTime(_origin).TotalMilliseconds;
        if (now < _nextCheck) return;
        _nextCheck = now + CheckIntervalMs;
        var (condition, problem) = Judge(partitions, now);
        health.ReportConsumerCondition(group, condition, problem);
    }

    /// <summary>The member left the group (stopping): nothing to judge any more.</summary>
    public void Stopped() => health.ReportConsumerCondition(group, ConsumerCondition.Consuming, null);

    private (ConsumerCondition, string?) Judge(AssignedPartitions partitions, long now)
    {
        if (partitions.Count == 0)
        {
            var without = now - _partitionsSince;
            return without > options.NoPartitionsDegradedMs
                ? (ConsumerCondition.NotConsuming, $"consumer group {group}: this member has held no partition for {without / 1000} s " +
                    $"(the group gave them to other members, or a rebalance waits for a member that is gone; {KafkaOptions.SectionName}:NoPartitionsDegradedMs = {options.NoPartitionsDegradedMs})")
                : (ConsumerCondition.Consuming, null);
        }
        _partitionsSince = now;
        var stored = partitions.StoredTotal;
        var lag = partitions.Lag;
        if (stored != _lastStored || lag == 0)
        {
            _lastStored = stored;
            _progressSince = now;
            return (ConsumerCondition.Consuming, null);
        }
        var stuck = now - _progressSince;
        return stuck > options.NoProgressUnhealthyMs
            ? (ConsumerCondition.Stalled, $"consumer group {group}: {lag} record(s) wait and no offset advanced for {stuck / 1000} s " +
                $"({KafkaOptions.SectionName}:NoProgressUnhealthyMs = {options.NoProgressUnhealthyMs}); a handler may hang or a record keep failing")
            : (ConsumerCondition.Consuming, null);
    }
}
