namespace Messaging.Outbox.Writing;

/// <summary>In-process wake-up for the dispatcher after a commit that wrote outbox rows (singleton).</summary>
internal sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Wakes the dispatcher if it is waiting; several wake-ups before it runs count as one.</summary>
    public void Wake()
    {
        try
        {
            if (_semaphore.CurrentCount == 0) _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // a concurrent Wake got there first: the dispatcher wakes either way
        }
        catch (ObjectDisposedException)
        {
            // host shutting down
        }
    }

    /// <summary>Waits for a wake-up or the timeout; throws <see cref="OperationCanceledException"/> on stop.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
