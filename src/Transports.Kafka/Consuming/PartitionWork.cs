using Confluent.Kafka;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// The records of one assigned partition that are consumed but not finished: their offset watermark and
/// the lanes that run them (one lane per partition, or one per key in <see cref="KafkaCommitMode.KeyOrder"/>).
/// A lane handles its records one at a time in offset order, so per-key order holds. Once closed (revoke,
/// loss, stop, or a record that could not finish) no further record is dispatched; queued records stay
/// unfinished and are consumed again by the partition's next owner.
/// </summary>
internal sealed class PartitionWork : IDisposable
{
    private const string NullKey = "\0no-key";
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<ConsumeResult<string?, byte[]>>> _lanes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _cancel;
    private readonly KafkaCommitMode _mode;
    private readonly Func<ConsumeResult<string?, byte[]>, PartitionWork, CancellationToken, Task<bool>> _handle;
    private TaskCompletionSource? _drained;
    private bool _closed;
    private int _buffered;
    private int _retryWaits;

    public PartitionWork(TopicPartition partition, KafkaCommitMode mode, CancellationToken stopping,
        Func<ConsumeResult<string?, byte[]>, PartitionWork, CancellationToken, Task<bool>> handle)
    {
        Partition = partition;
        _mode = mode;
        _handle = handle;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public TopicPartition Partition { get; }
    public PartitionOffsets Offsets { get; } = new();

    /// <summary>The offset last stored for commit (polling thread only); -1 when none.</summary>
    public long Stored { get; set; } = -1;

    /// <summary>Whether the polling thread paused fetching for this partition (polling thread only).</summary>
    public bool Paused { get; set; }

    /// <summary>Consumed records not finished yet (count).</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    /// <summary>True while a record of this partition waits for a delayed retry.</summary>
    public bool RetryWaiting => Volatile.Read(ref _retryWaits) > 0;

    public void BeginRetryWait() => Interlocked.Increment(ref _retryWaits);
    public void EndRetryWait() => Interlocked.Decrement(ref _retryWaits);

    /// <summary>Tracks the record and queues it on its lane, starting the lane when idle. Ignored once closed, and
    /// for an offset this partition already has (fetched again after a rewind).</summary>
    public void Enqueue(ConsumeResult<string?, byte[]> record)
    {
        var key = _mode == KafkaCommitMode.KeyOrder ? record.Message.Key ?? NullKey : "";
        lock (_gate)
        {
            if (_closed || !Offsets.TryAdd(record.Offset.Value)) return;
            Interlocked.Increment(ref _buffered);
            if (_lanes.TryGetValue(key, out var lane))
            {
                lane.Enqueue(record);
                return;
            }
            lane = new Queue<ConsumeResult<string?, byte[]>>();
            lane.Enqueue(record);
            _lanes.Add(key, lane);
            _ = Task.Run(() => RunLaneAsync(key, lane));
        }
    }

    /// <summary>
    /// Stops dispatching and waits up to <paramref name="bound"/> for running records to finish; then
    /// cancels them and waits up to <paramref name="grace"/> more. Completes when every lane ended or
    /// the time is up.
    /// </summary>
    public async Task DrainAsync(TimeSpan bound, TimeSpan grace)
    {
        Task drained;
        lock (_gate)
        {
            _closed = true;
            foreach (var lane in _lanes.Values) lane.Clear();
            if (_lanes.Count == 0) return;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }
        if (await Finished(drained, bound).ConfigureAwait(false)) return;
        await _cancel.CancelAsync().ConfigureAwait(false);
        await Finished(drained, grace).ConfigureAwait(false);
    }

    /// <summary>Stops dispatching and cancels running records at once (partitions lost, consumer abandoned).</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var lane in _lanes.Values) lane.Clear();
        }
        _cancel.Cancel();
    }

    public void Dispose() => _cancel.Dispose();

    private static async Task<bool> Finished(Task task, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return task.IsCompleted;
        return await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false) == task;
    }

    private async Task RunLaneAsync(string key, Queue<ConsumeResult<string?, byte[]>> lane)
    {
        while (true)
        {
            ConsumeResult<string?, byte[]> record;
            lock (_gate)
            {
                if (_closed || lane.Count == 0)
                {
                    EndLane(key);
                    return;
                }
                record = lane.Dequeue();
            }
            bool finished;
            try
            {
                finished = await _handle(record, this, _cancel.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                finished = false; // the handler reports its own failures; only a cancellation ends up here
            }
            if (!finished)
            {
                // Not finished means cancelled: nothing after it may run ahead of it on this lane.
                lock (_gate)
                {
                    _closed = true;
                    EndLane(key);
                }
                return;
            }
            Offsets.Complete(record.Offset.Value);
            Interlocked.Decrement(ref _buffered);
        }
    }

    private void EndLane(string key)
    {
        _lanes.Remove(key);
        if (_closed && _lanes.Count == 0) _drained?.TrySetResult();
    }
}
