namespace Messaging.Kafka.Consuming;

/// <summary>
/// The contiguous offset watermark of one partition (KafkaFlow's PartitionOffsets idea): records are
/// added in offset order as they are consumed, may finish in any order, and the committable offset only
/// moves past a record once it and every record before it finished. A record that never finishes (failed,
/// cancelled) holds the watermark back, so no later commit can skip it. Thread-safe.
/// </summary>
internal sealed class PartitionOffsets
{
    private readonly object _gate = new();
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _unfinished = [];
    private readonly HashSet<long> _finishedAhead = [];
    private long _lastAdded = -1;
    private long _committable = -1;

    /// <summary>The offset to commit (the next record to read after the contiguous finished run), or -1
    /// when no record finished yet.</summary>
    public long Committable
    {
        get { lock (_gate) return _committable; }
    }

    /// <summary>The first offset not yet behind the watermark (the oldest unfinished record, or the committable
    /// offset when everything added finished); -1 when nothing was added.</summary>
    public long NextUnfinished
    {
        get { lock (_gate) return _pending.Count > 0 ? _pending.Peek() : _committable; }
    }

    /// <summary>Records added and not yet behind the watermark (count).</summary>
    public int Pending
    {
        get { lock (_gate) return _pending.Count; }
    }

    /// <summary>Tracks a consumed record; offsets increase (gaps allowed: compaction, control records). False, and
    /// nothing changes, for an offset at or below the last one added: the client fetched it again (a rewind
    /// after log truncation, KIP-320) and it is already running or finished.</summary>
    public bool TryAdd(long offset)
    {
        lock (_gate)
        {
            if (offset <= _lastAdded) return false;
            _lastAdded = offset;
            _pending.Enqueue(offset);
            _unfinished.Add(offset);
            return true;
        }
    }

    /// <summary>Marks a record finished; true when the watermark moved.</summary>
    /// <exception cref="InvalidOperationException">The offset was never added, or finished twice.</exception>
    public bool Complete(long offset)
    {
        lock (_gate)
        {
            if (!_unfinished.Remove(offset)) throw new InvalidOperationException($"Offset {offset} is not pending.");
            _finishedAhead.Add(offset);
            var moved = false;
            while (_pending.Count > 0 && _finishedAhead.Remove(_pending.Peek()))
            {
                _committable = _pending.Dequeue() + 1;
                moved = true;
            }
            return moved;
        }
    }
}
