using System.Threading.Channels;

namespace Messaging.RabbitMq.Consuming;

/// <summary>
/// Runs deliveries on a fixed number of lanes, each a FIFO with one worker. A delivery with a partition key
/// always takes the lane of the key's hash, so one key is handled one message at a time in delivery order;
/// deliveries without a key are spread round-robin. With one lane this is plain delivery order.
/// </summary>
internal sealed class DeliveryLanes
{
    private readonly Channel<Delivery>[] _lanes;
    private readonly Task[] _workers;
    private int _next;
    private int _inFlight;

    /// <param name="count">Number of lanes (the concurrency limit), at least 1.</param>
    /// <param name="handle">Handles and settles one delivery; must not throw.</param>
    /// <param name="stopPicking">Once cancelled, a lane finishes its current delivery and starts no other (those
    /// stay unacknowledged and are requeued when the channel closes).</param>
    public DeliveryLanes(int count, Func<Delivery, Task> handle, CancellationToken stopPicking)
    {
        _lanes = new Channel<Delivery>[count];
        _workers = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var lane = _lanes[i] = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            _workers[i] = Task.Run(() => RunAsync(lane.Reader, handle, stopPicking), CancellationToken.None);
        }
    }

    /// <summary>Handlers running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Queues a delivery on its lane (called from the consumer callback, one at a time).</summary>
    public void Post(Delivery delivery)
    {
        var lane = delivery.Envelope?.PartitionKey is { } key
            ? (StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % _lanes.Length
            : _next++ % _lanes.Length;
        _lanes[lane].Writer.TryWrite(delivery);
    }

    /// <summary>Accepts no more deliveries and completes when every lane's worker has ended.</summary>
    public Task CompleteAsync()
    {
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        return Task.WhenAll(_workers);
    }

    private async Task RunAsync(ChannelReader<Delivery> reader, Func<Delivery, Task> handle, CancellationToken stopPicking)
    {
        try
        {
            while (await reader.WaitToReadAsync(stopPicking).ConfigureAwait(false))
            {
                while (!stopPicking.IsCancellationRequested && reader.TryRead(out var delivery))
                {
                    Interlocked.Increment(ref _inFlight);
                    try { await handle(delivery).ConfigureAwait(false); }
                    finally { Interlocked.Decrement(ref _inFlight); }
                }
            }
        }
        catch (OperationCanceledException) when (stopPicking.IsCancellationRequested)
        {
            // stopping: what is still queued stays unacknowledged
        }
    }
}
