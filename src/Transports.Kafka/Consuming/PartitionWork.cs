using Confluent.Kafka;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// The records of one assigned partition that are consumed but not finished: their offset watermark and
/// the lanes that run them (one lane per partition, or one per key in <see cref="KafkaOrderingMode.KeyOrder"/>).
/// A lane handles its records one at a time in offset order, so per-key order holds. A lane's loop runs while
/// it has records and ends when its queue is empty; the polling thread starts idle lanes once per batch of
/// records (<see cref="StartLanes"/>), not once per record. Once closed (revoke, loss, stop, or a record that
/// could not finish) no further record is dispatched; queued records stay unfinished and are consumed again
/// by the partition's next owner.
/// </summary>
internal sealed class PartitionWork : IDisposable
{
    private const string NullKey = "\0no-key";
    private readonly object _gate = new();
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly List<Lane> _toStart = [];
    private readonly CancellationTokenSource _cancel;
    private readonly KafkaOrderingMode _mode;
    private readonly SemaphoreSlim _slots;
    private readonly BufferRoom _room;
    private readonly TimeProvider _time;
    private readonly Func<ConsumeResult<string?, byte[]>, RetryWaits, ProcessorSlot, CancellationToken, Task<bool>> _handle;
    private TaskCompletionSource? _drained;
    private bool _closed;
    private int _buffered;

    public PartitionWork(TopicPartition partition, KafkaOrderingMode mode, CancellationToken stopping, SemaphoreSlim slots, BufferRoom room,
        TimeProvider time, Func<ConsumeResult<string?, byte[]>, RetryWaits, ProcessorSlot, CancellationToken, Task<bool>> handle)
    {
        _time = time;
        Partition = partition;
        _mode = mode;
        _slots = slots;
        _room = room;
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

    /// <summary>The records of this partition waiting for a delayed retry, counted by the record handler.</summary>
    public RetryWaits RetryWaits { get; } = new();

    /// <summary>Tracks the record and queues it on its lane; an idle lane starts at the next <see cref="StartLanes"/>.
    /// Ignored once closed, and for an offset this partition already has (fetched again after a rewind).</summary>
    public void Enqueue(ConsumeResult<string?, byte[]> record)
    {
        var key = _mode == KafkaOrderingMode.KeyOrder ? record.Message.Key ?? NullKey : "";
        lock (_gate)
        {
            if (_closed || !Offsets.TryAdd(record.Offset.Value)) return;
            Interlocked.Increment(ref _buffered);
            if (!_lanes.TryGetValue(key, out var lane))
            {
                // A lane in _lanes is running or waiting in _toStart, so only a new one needs starting.
                lane = new Lane(key);
                _lanes.Add(key, lane);
                _toStart.Add(lane);
            }
            lane.Records.Enqueue(record);
        }
    }

    /// <summary>Starts the lanes that got records since the last call (polling thread, after a batch of records).</summary>
    public void StartLanes()
    {
        if (_toStart.Count == 0) return; // only the polling thread adds to it
        lock (_gate)
        {
            foreach (var lane in _toStart) _ = Task.Run(() => RunLaneAsync(lane));
            _toStart.Clear();
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
            Close();
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
        lock (_gate) Close();
        _cancel.Cancel();
    }

    public void Dispose() => _cancel.Dispose();

    private async Task<bool> Finished(Task task, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return task.IsCompleted;
        return await Task.WhenAny(task, Task.Delay(timeout, _time)).ConfigureAwait(false) == task;
    }

    /// <summary>Stops dispatching (caller holds the gate): drops queued records and the lanes not started yet.</summary>
    private void Close()
    {
        _closed = true;
        foreach (var lane in _lanes.Values) lane.Records.Clear();
        foreach (var lane in _toStart) _lanes.Remove(lane.Key);
        _toStart.Clear();
    }

    private async Task RunLaneAsync(Lane lane)
    {
        var slot = new ProcessorSlot(_slots, _time);
        try
        {
            while (true)
            {
                ConsumeResult<string?, byte[]> record;
                lock (_gate)
                {
                    if (_closed || lane.Records.Count == 0)
                    {
                        EndLane(lane);
                        return;
                    }
                    record = lane.Records.Dequeue();
                }
                bool finished;
                try
                {
                    finished = await _handle(record, RetryWaits, slot, _cancel.Token).ConfigureAwait(false);
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
                        EndLane(lane);
                    }
                    return;
                }
                Offsets.Complete(record.Offset.Value);
                _room.Finished(Interlocked.Decrement(ref _buffered));
                slot.ReleaseIfOverBudget();
            }
        }
        finally
        {
            slot.Release();
        }
    }

    private void EndLane(Lane lane)
    {
        _lanes.Remove(lane.Key);
        if (_closed && _lanes.Count == 0) _drained?.TrySetResult();
    }

    /// <summary>The records of one key (or of the whole partition) waiting to run, in offset order.</summary>
    private sealed class Lane(string key)
    {
        public string Key { get; } = key;
        public Queue<ConsumeResult<string?, byte[]>> Records { get; } = new();
    }
}
