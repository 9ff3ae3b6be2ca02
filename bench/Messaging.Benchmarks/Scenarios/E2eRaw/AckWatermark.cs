namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// The highest delivery tag below which every delivery of a channel is applied. Lanes finish out of order, and one
/// <c>basic.ack</c> with <c>multiple</c> acks everything up to a tag, so it may only go as far as this watermark.
/// Not thread-safe: the caller holds its ack gate.
/// </summary>
internal sealed class AckWatermark
{
    private readonly SortedSet<long> _applied = [];
    private long _acked;

    /// <summary>Notes applied tags; returns the new watermark, or 0 when it did not move.</summary>
    public long Complete(ReadOnlySpan<ReceivedOrder> batch)
    {
        foreach (var received in batch) _applied.Add(received.Position);
        var before = _acked;
        while (_applied.Count > 0 && _applied.Min == _acked + 1)
        {
            _applied.Remove(_acked + 1);
            _acked++;
        }
        return _acked == before ? 0 : _acked;
    }
}
