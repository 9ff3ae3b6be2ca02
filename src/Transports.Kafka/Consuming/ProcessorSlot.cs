namespace Messaging.Kafka.Consuming;

/// <summary>
/// One lane's hold on the processor's <see cref="KafkaOptions.MaxConcurrency"/> slots (a shared semaphore).
/// A busy lane keeps its slot from one record to the next instead of handing it back per record: handing
/// it over wakes a waiting lane on another thread each time. The lane gives it back when its queue is
/// empty, before it waits (delayed retry, dead-letter publish), and after 10 ms (a hundredth of the clock's second) when
/// every slot is taken, so lanes waiting for one still get their turn. Used by one lane at a time.
/// </summary>
internal sealed class ProcessorSlot(SemaphoreSlim slots, TimeProvider time)
{
    /// <summary>How long a lane may keep a slot while other lanes may be waiting for one: 10 ms.</summary>
    private readonly long _holdBudget = time.TimestampFrequency / 100;
    private bool _held;
    private long _heldSince;

    /// <summary>Takes a slot unless this lane holds one already.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        if (_held) return ValueTask.CompletedTask;
        if (slots.Wait(0))
        {
            Held();
            return ValueTask.CompletedTask;
        }
        return WaitAsync(cancellationToken);
    }

    /// <summary>Gives the slot back if this lane holds one.</summary>
    public void Release()
    {
        if (!_held) return;
        _held = false;
        slots.Release();
    }

    /// <summary>Gives the slot back when it was held past the budget and no slot is free (someone may be waiting).</summary>
    public void ReleaseIfOverBudget()
    {
        if (_held && slots.CurrentCount == 0 && time.GetTimestamp() - _heldSince >= _holdBudget) Release();
    }

    private async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Held();
    }

    private void Held()
    {
        _held = true;
        _heldSince = time.GetTimestamp();
    }
}
