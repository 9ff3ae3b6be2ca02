namespace Messaging.Kafka.Consuming;

/// <summary>How many records of one partition wait for a delayed retry right now: the record handler counts its waits
/// here, and the polling thread reads <see cref="Any"/> to pause the partition in <see cref="KafkaOrderingMode.PartitionOrder"/>
/// (a record waiting in place holds every later record of its partition). Thread-safe.</summary>
internal sealed class RetryWaits
{
    private int _count;

    /// <summary>True while at least one record waits.</summary>
    public bool Any => Volatile.Read(ref _count) > 0;

    /// <summary>A record starts waiting; pair with <see cref="End"/> in a <c>finally</c>.</summary>
    public void Begin() => Interlocked.Increment(ref _count);

    /// <summary>The record's wait is over (retried, or cancelled).</summary>
    public void End() => Interlocked.Decrement(ref _count);
}
