using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using ClientPublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Messaging.RabbitMq;

/// <summary>
/// Publisher confirms for one channel opened with confirms on and the client's confirmation tracking off: the
/// client's tracking puts its <c>x-dotnet-pub-seq-no</c> header on every message, and nothing internal may go on
/// the wire. Each publish is registered under the sequence number the broker will confirm (taken under the same
/// lock as the publish, so numbers and publishes stay in order) and completes on <c>basic.ack</c>; it fails on
/// <c>basic.nack</c> (the client's <see cref="ClientPublishException"/>), on a <c>basic.return</c> that came before
/// its ack (<see cref="PublishReturnException"/>), and when the channel shuts down (<see cref="AlreadyClosedException"/>).
/// At most <c>maxOutstanding</c> publishes await their confirm; the rest wait their turn in call order.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "The semaphores never hand out a wait handle, so there is nothing to release; disposing them while publishes wait in line would fail those publishes.")]
internal sealed class ConfirmTracker
{
    private readonly IChannel _channel;
    private readonly SemaphoreSlim _order = new(1, 1); // FIFO for async waiters: publishes enter the channel in call order
    private readonly SemaphoreSlim _slots;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, PendingConfirm> _pending = [];

    public ConfirmTracker(IChannel channel, int maxOutstanding)
    {
        _channel = channel;
        _slots = new SemaphoreSlim(maxOutstanding, maxOutstanding);
        // Handlers run on the client's reader loop, one frame after another: a return is seen before the ack of its publish.
        channel.BasicAcksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: false);
        channel.BasicNacksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: true);
        channel.BasicReturnAsync += OnReturnAsync;
        channel.ChannelShutdownAsync += OnShutdownAsync;
    }

    /// <summary>The channel publishes go to.</summary>
    public IChannel Channel => _channel;

    /// <summary>Publishes with <c>mandatory</c> and completes when the broker confirmed it.</summary>
    /// <exception cref="ClientPublishException">Nacked, or returned (<see cref="PublishReturnException"/>).</exception>
    /// <exception cref="OperationInterruptedException">The channel or connection closed before the confirm.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the publish is forgotten.</exception>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        PendingConfirm pending;
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false); // the head of the line waits; the rest keep their places
            try
            {
                var sequenceNumber = await _channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
                pending = new PendingConfirm(sequenceNumber, exchange, routingKey, PendingConfirm.ReturnKey(properties));
                Register(pending);
            }
            catch
            {
                _slots.Release();
                throw;
            }
            try
            {
                await _channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Forget(pending);
                throw;
            }
        }
        finally
        {
            _order.Release();
        }
        try
        {
            await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Forget(pending); // a late confirm finds nothing
            throw;
        }
    }

    private void Register(PendingConfirm pending)
    {
        PendingConfirm? stale;
        lock (_lock)
        {
            // Only if the channel recovered between taking the number and publishing: numbers restart at 1.
            _pending.Remove(pending.SequenceNumber, out stale);
            _pending.Add(pending.SequenceNumber, pending);
        }
        if (stale is null) return;
        _slots.Release();
        stale.Fail(new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Library, 320, "the channel recovered before the confirm")));
    }

    private void Forget(PendingConfirm pending)
    {
        bool removed;
        lock (_lock)
            removed = _pending.TryGetValue(pending.SequenceNumber, out var current) && ReferenceEquals(current, pending)
                && _pending.Remove(pending.SequenceNumber);
        if (removed) _slots.Release();
    }

    private Task Settle(ulong deliveryTag, bool multiple, bool nack)
    {
        List<PendingConfirm> settled = [];
        lock (_lock)
        {
            if (!multiple)
            {
                if (_pending.Remove(deliveryTag, out var one)) settled.Add(one);
            }
            else
            {
                foreach (var (sequenceNumber, pending) in _pending)
                    if (sequenceNumber <= deliveryTag) settled.Add(pending);
                foreach (var pending in settled) _pending.Remove(pending.SequenceNumber);
            }
        }
        foreach (var pending in settled)
        {
            _slots.Release();
            if (nack) pending.Fail(new ClientPublishException(pending.SequenceNumber, isReturn: false));
            else pending.Confirm();
        }
        return Task.CompletedTask;
    }

    /// <summary>A return carries no sequence number: it marks the outstanding publishes of its exchange, routing key and
    /// message id, which fail when their ack comes. Two of them alike are the same message: both fail, never both succeed.</summary>
    private Task OnReturnAsync(object sender, BasicReturnEventArgs e)
    {
        var key = PendingConfirm.ReturnKey(e.BasicProperties);
        lock (_lock)
        {
            foreach (var pending in _pending.Values)
                if (pending.Matches(e.Exchange, e.RoutingKey, key)) pending.MarkReturned(e.ReplyCode, e.ReplyText);
        }
        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        List<PendingConfirm> lost;
        lock (_lock)
        {
            lost = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var pending in lost)
        {
            _slots.Release();
            pending.Fail(new AlreadyClosedException(e));
        }
        return Task.CompletedTask;
    }
}
