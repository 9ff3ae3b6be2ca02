using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using ClientPublishException = RabbitMQ.Client.Exceptions.PublishException;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq;

/// <summary>
/// Confirmed publishing on one channel with publisher confirms, tracked by <see cref="ConfirmTracker"/> (not by the
/// client, whose tracking adds a header to every message): a publish completes only after the broker's
/// <c>basic.ack</c>; a <c>basic.return</c> (always <c>mandatory</c>), a <c>basic.nack</c>, a closed channel or no
/// confirm within <c>PublishTimeoutMs</c> throws a typed <see cref="PublishException"/>. At most
/// <c>MaxOutstandingConfirms</c> publishes are in flight; the rest wait in call order (FIFO), so publishes started
/// in order reach the broker in order.
/// </summary>
internal sealed class RabbitMqPublisher(RabbitMqConnection connection, RabbitMqTopology topology, RabbitMqOptions options, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConfirmTracker? _publishing;

    /// <summary>Declares the envelope's destination exchange (first time only) and publishes it, confirmed.</summary>
    /// <exception cref="PublishException">Not confirmed: unroutable, rejected, timeout or connection lost.</exception>
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var properties = EnvelopeMapper.ToProperties(envelope);
        return PublishAsync(envelope.Destination, envelope.MessageType, properties, envelope.Body, envelope.MessageId, declareExchange: true, cancellationToken);
    }

    /// <summary>Makes the channel and a destination ready, so that later publishes start without waiting.</summary>
    /// <exception cref="PublishException">The exchange could not be declared or the broker is unreachable.</exception>
    public async Task PrepareAsync(string destination, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await topology.DeclareExchangeAsync(destination, cancellationToken).ConfigureAwait(false);
            await GetChannelAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, destination, destination, messageId, cancellationToken, timedOut: false) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Publishes to an exchange (<c>""</c> for the default exchange) with <c>mandatory</c>, confirmed.</summary>
    /// <exception cref="PublishException">Not confirmed: unroutable, rejected, timeout or connection lost.</exception>
    public async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body,
        string messageId, bool declareExchange, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.PublishTimeoutMs), time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (declareExchange) await topology.DeclareExchangeAsync(exchange, bounded.Token).ConfigureAwait(false);
            var publishing = await GetChannelAsync(bounded.Token).ConfigureAwait(false);
            await publishing.PublishAsync(exchange, routingKey, properties, body, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, exchange, routingKey, messageId, cancellationToken, timeout.IsCancellationRequested) is { } mapped)
        {
            throw mapped;
        }
    }

    private PublishException? Map(Exception ex, string exchange, string routingKey, string messageId, CancellationToken caller, bool timedOut)
    {
        var destination = exchange.Length == 0 ? routingKey : exchange;
        switch (ex)
        {
            case PublishException:
                return null; // already typed
            case OperationCanceledException when caller.IsCancellationRequested:
                return null; // the caller gave up: let the cancellation propagate
            case BrokerUnavailableException:
                return new(PublishFailure.BrokerUnavailable, destination, messageId, ex.Message, ex);
            case OperationCanceledException when timedOut && !connection.Health.IsAvailable:
                return new(PublishFailure.BrokerUnavailable, destination, messageId,
                    $"no publisher confirm within {options.PublishTimeoutMs} ms while the broker is unavailable: {connection.Health.Problem}", ex);
            case OperationCanceledException when timedOut:
                return new(PublishFailure.Timeout, destination, messageId, $"no publisher confirm within {options.PublishTimeoutMs} ms ({RabbitMqOptions.SectionName}:PublishTimeoutMs)", ex);
            case ClientPublishException { IsReturn: true }:
                return new(PublishFailure.Unroutable, destination, messageId,
                    $"the broker returned it (basic.return): exchange '{exchange}' routes routing key '{routingKey}' to no queue", ex);
            case ClientPublishException:
                return new(PublishFailure.Rejected, destination, messageId, "the broker refused it (basic.nack)", ex);
            case OperationInterruptedException { ShutdownReason.ReplyCode: 404 } closed when connection.IsOpen:
                topology.Forget(exchange);
                return new(PublishFailure.Rejected, destination, messageId, $"the broker closed the channel: {closed.ShutdownReason?.ReplyText}", ex);
            case OperationInterruptedException when !connection.IsOpen:
                return new(PublishFailure.BrokerUnavailable, destination, messageId,
                    $"the connection to {connection.Broker} is down and recovering: {connection.Health.Problem}", ex);
            case OperationInterruptedException closed:
                return new(PublishFailure.ConnectionLost, destination, messageId,
                    $"the channel or connection to {connection.Broker} closed before the confirm ({closed.ShutdownReason?.ReplyCode} {closed.ShutdownReason?.ReplyText})", ex);
            case MessagingException when connection.IsOpen:
                return new(PublishFailure.Rejected, destination, messageId, ex.Message, ex); // topology refused
            case MessagingException or IOException or ObjectDisposedException when !connection.IsOpen:
                return new(PublishFailure.BrokerUnavailable, destination, messageId, ex.Message, ex);
            case MessagingException or IOException or ObjectDisposedException:
                return new(PublishFailure.ConnectionLost, destination, messageId, ex.Message, ex);
            default:
                return new(PublishFailure.NotConfirmed, destination, messageId, $"the client failed ({ex.GetType().Name}); the confirm state is unknown", ex);
        }
    }

    private ValueTask<ConfirmTracker> GetChannelAsync(CancellationToken cancellationToken)
    {
        var publishing = Volatile.Read(ref _publishing);
        // Fast path without an await, so publishes started in order enter the client in order.
        return publishing is { Channel.IsOpen: true } ? ValueTask.FromResult(publishing) : new ValueTask<ConfirmTracker>(OpenChannelAsync(cancellationToken));
    }

    private async Task<ConfirmTracker> OpenChannelAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _publishing;
            if (current is { Channel.IsOpen: true }) return current;
            // While the connection is down, automatic recovery reopens this channel: keep it (publishes fail as ConnectionLost).
            if (current is not null && !connection.IsOpen) return current;
            if (current is not null)
            {
                Log.PublishChannelReplaced(logger, current.Channel.CloseReason?.ReplyCode ?? 0, current.Channel.CloseReason?.ReplyText ?? "");
                current.Channel.Dispose();
            }
            // Confirms on, the client's tracking off: it would put x-dotnet-pub-seq-no on every message.
            var created = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), cancellationToken).ConfigureAwait(false);
            var publishing = new ConfirmTracker(created, options.MaxOutstandingConfirms);
            Volatile.Write(ref _publishing, publishing);
            return publishing;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_publishing?.Channel is { } channel)
            {
                try
                {
                    if (channel.IsOpen) await channel.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException) { /* closing a broken channel */ }
                channel.Dispose();
                _publishing = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
