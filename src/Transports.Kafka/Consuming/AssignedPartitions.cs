using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// The partitions a consumer owns right now and their unfinished work. Used only on the polling thread
/// (rebalance callbacks run there too), so every consumer call happens on that thread. It stores each
/// partition's contiguous watermark (the commit strategy is <see cref="OffsetCommits"/>), pauses partitions that wait for a delayed retry or whose backlog stays
/// full (polling goes on, so <c>max.poll.interval.ms</c> is kept), and on revoke drains, stores and commits
/// only the partitions still owned. A full partition is first given <see cref="MaxRoomWaitMs"/> to drain to
/// half, which a fast handler does, so it is not paused and librdkafka keeps its prefetched records.
/// </summary>
internal sealed class AssignedPartitions(
    string group,
    KafkaOptions options,
    BufferRoom room,
    TimeProvider time,
    CancellationToken stopping,
    Func<TopicPartition, PartitionWork> create,
    ILogger logger)
{
    private readonly OffsetCommits _commits = new(group, logger);

    /// <summary>Longest the polling thread waits in one <see cref="Maintain"/> for full partitions to drain
    /// before pausing them (ms; capped at a quarter of <see cref="KafkaOptions.MaxPollIntervalMs"/>).</summary>
    private const int MaxRoomWaitMs = 250;
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);
    private readonly Dictionary<TopicPartition, PartitionWork> _owned = [];
    private DateTimeOffset _lagDue;

    public int Count => _owned.Count;

    /// <summary>The sum of the owned partitions' stored offsets: it changes whenever any of them advances.</summary>
    public long StoredTotal => _owned.Values.Sum(w => w.Stored);

    /// <summary>Records of the owned partitions not yet handled, as of the last lag refresh (about once a second).</summary>
    public long Lag { get; private set; }

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            if (_owned.Remove(partition, out var stale)) stale.Abort();
            _owned[partition] = create(partition);
        }
    }

    /// <summary>Hands a consumed record to its partition (its lane starts at the next <see cref="Maintain"/>); a record
    /// of a partition no longer owned is dropped. False when the record's partition is full.</summary>
    public bool Dispatch(ConsumeResult<string?, byte[]> record)
    {
        if (!_owned.TryGetValue(record.TopicPartition, out var work)) return true;
        work.Enqueue(record);
        return work.Buffered < room.Full;
    }

    /// <summary>Starts lanes given records, stores advanced watermarks, pauses or resumes partitions, refreshes lag.
    /// Called after every poll.</summary>
    public void Maintain(IConsumer<string?, byte[]> consumer)
    {
        var roomDeadline = 0L; // set at the first full partition
        foreach (var work in _owned.Values)
        {
            work.StartLanes();
            var waiting = options.OrderingMode == KafkaOrderingMode.PartitionOrder && work.RetryWaits.Any;
            var full = work.Buffered >= room.Full;
            if (full && !work.Paused && !waiting)
            {
                if (roomDeadline == 0) roomDeadline = room.DeadlineIn(Math.Min(MaxRoomWaitMs, options.MaxPollIntervalMs / 4));
                full = !room.WaitForRoom(work, roomDeadline, stopping);
            }
            var committable = work.Offsets.Committable;
            if (committable > work.Stored && _commits.Store(consumer, new TopicPartitionOffset(work.Partition, committable))) work.Stored = committable;
            if (!work.Paused && (full || waiting))
                work.Paused = SetPaused(consumer, work, pause: true, $"{work.Buffered} unfinished record(s){(waiting ? ", a delayed retry waiting" : "")}");
            else if (work.Paused && !waiting && work.Buffered <= room.Resume)
                work.Paused = !SetPaused(consumer, work, pause: false, $"{work.Buffered} unfinished record(s)");
        }
        if (time.GetUtcNow() >= _lagDue)
        {
            _lagDue = time.GetUtcNow() + LagInterval;
            Lag = _owned.Values.Sum(work => RecordLag(consumer, work));
        }
    }

    /// <summary>
    /// Revoke (or shutdown): stops dispatching for <paramref name="partitions"/>, waits up to
    /// <see cref="KafkaOptions.RevokeDrainTimeoutMs"/> for their running records (then cancels them), and
    /// commits their watermarks while they are still owned. Returns what happened, for the log.
    /// </summary>
    public string Revoke(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> partitions)
    {
        var works = Take(partitions);
        if (works.Count == 0) return "nothing in flight";
        var bound = TimeSpan.FromMilliseconds(Math.Min(options.RevokeDrainTimeoutMs, options.MaxPollIntervalMs / 2));
        Task.WhenAll(works.Select(w => w.DrainAsync(bound, CancelGrace))).GetAwaiter().GetResult();
        var offsets = works.Where(w => w.Offsets.Committable >= 0)
            .Select(w => new TopicPartitionOffset(w.Partition, w.Offsets.Committable)).ToList();
        foreach (var work in works) work.Dispose();
        return _commits.CommitOnRevoke(consumer, offsets);
    }

    /// <summary>Partitions lost (session expired, or the consumer is abandoned): cancel, store and commit nothing.</summary>
    public void Lose(IEnumerable<TopicPartition> partitions)
    {
        foreach (var work in Take(partitions))
        {
            work.Abort();
            work.Dispose();
        }
    }

    public List<TopicPartition> All() => [.. _owned.Keys];

    private List<PartitionWork> Take(IEnumerable<TopicPartition> partitions)
    {
        var taken = new List<PartitionWork>();
        foreach (var partition in partitions)
        {
            if (!_owned.Remove(partition, out var work)) continue;
            KafkaTelemetry.RemoveLag(group, partition.Topic, partition.Partition.Value);
            taken.Add(work);
        }
        return taken;
    }

    private bool SetPaused(IConsumer<string?, byte[]> consumer, PartitionWork work, bool pause, string why)
    {
        try
        {
            if (pause) consumer.Pause([work.Partition]);
            else consumer.Resume([work.Partition]);
            Log.PartitionPausedOrResumed(logger, group, $"{work.Partition.Topic}[{work.Partition.Partition.Value}]", pause ? "paused" : "resumed", why);
            return true;
        }
        catch (KafkaException ex)
        {
            Log.PauseOrResumeFailed(logger, group, work.Partition.ToString(), pause ? "pause" : "resume", $"{ex.Error.Code}: {ex.Error.Reason}");
            return false;
        }
    }

    /// <summary>Publishes the partition's lag to the gauge and returns it (0 when it cannot be known yet).</summary>
    private long RecordLag(IConsumer<string?, byte[]> consumer, PartitionWork work)
    {
        var high = consumer.GetWatermarkOffsets(work.Partition).High;
        if (high == Offset.Unset) return 0;
        var position = work.Offsets.NextUnfinished;
        if (position < 0)
        {
            try { position = consumer.Position(work.Partition).Value; }
            catch (KafkaException) { return 0; }
            if (position < 0) return 0;
        }
        var lag = Math.Max(0, high.Value - position);
        KafkaTelemetry.SetLag(group, work.Partition.Topic, work.Partition.Partition.Value, lag);
        return lag;
    }
}
