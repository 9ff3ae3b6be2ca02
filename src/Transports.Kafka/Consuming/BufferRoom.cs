namespace Messaging.Kafka.Consuming;

/// <summary>
/// The per-partition buffer marks (<see cref="KafkaOptions.MaxBufferedPerPartition"/> and half of it) and the
/// signal a lane gives when its partition drained to the lower mark. It lets the polling thread wait a short
/// while for a full partition to drain instead of pausing it at once: a pause makes librdkafka drop the records
/// it prefetched for the partition, and fetch them again on resume.
/// </summary>
internal sealed class BufferRoom(int maxBufferedPerPartition, TimeProvider time) : IDisposable
{
    private readonly ManualResetEventSlim _drained = new(false);

    /// <summary>Unfinished records at which a partition is full (count).</summary>
    public int Full { get; } = maxBufferedPerPartition;

    /// <summary>Unfinished records at or below which a full partition has room again (count).</summary>
    public int Resume { get; } = maxBufferedPerPartition / 2;

    /// <summary>Called by a lane after each finished record with what its partition has left unfinished.</summary>
    public void Finished(int unfinished)
    {
        if (unfinished == Resume) _drained.Set();
    }

    /// <summary>A deadline for <see cref="WaitForRoom"/>: <paramref name="milliseconds"/> from now.</summary>
    public long DeadlineIn(int milliseconds) => time.GetTimestamp() + milliseconds * time.TimestampFrequency / 1000;

    /// <summary>Polling thread: waits until <paramref name="work"/> is at or below <see cref="Resume"/>; false when
    /// <paramref name="deadline"/> (<see cref="DeadlineIn"/>) or <paramref name="stopping"/> came first.</summary>
    public bool WaitForRoom(PartitionWork work, long deadline, CancellationToken stopping)
    {
        while (true)
        {
            _drained.Reset(); // before the check: a lane reaching the mark after it sets the signal again
            if (work.Buffered <= Resume) return true;
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero || stopping.IsCancellationRequested) return false;
            try
            {
                _drained.Wait((int)Math.Ceiling(left.TotalMilliseconds), stopping);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    public void Dispose() => _drained.Dispose();
}
