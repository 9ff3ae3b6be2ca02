using System.Globalization;
using System.Text;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq.Consuming;

/// <summary>
/// Processes one delivery and settles it: ack after the processor returned; for a dead-letter or a delayed
/// retry, first the confirmed publish of the copy (to <c>&lt;endpoint&gt;.dlq</c> or
/// <c>&lt;endpoint&gt;.retry.&lt;ms&gt;</c>) and, for a dead letter, its record in the database (when a
/// <see cref="IDeadLetterRecorder"/> is registered), then the ack. Whatever cannot be settled that way is nacked with
/// requeue, so the broker delivers it again: nothing is acked that was not done.
/// </summary>
internal sealed class DeliverySettler(RabbitMqPublisher publisher, RabbitMqTopology topology, RabbitMqOptions options, TimeProvider time, ILogger logger,
    IDeadLetterRecorder? recorder = null)
{
    /// <summary>Pause of the lane after a failure to settle a message, so a broken broker is not hammered.</summary>
    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);
    private int _settleFailures; // in a row, across lanes: a broken broker backs every lane off further

    private readonly bool _quorum = options.QueueType == RabbitMqQueueType.Quorum;

    /// <summary>Runs <paramref name="processor"/> on the delivery and settles it (ack, or publish a copy then ack, or
    /// nack with requeue). When the processor throws or the copy cannot be published (a publish error), the delivery is
    /// nacked with requeue and the lane pauses (backoff with jitter from 1 s to 30 s over consecutive failures, cut
    /// short by <paramref name="stopping"/>); when the ack itself fails (channel gone) it is logged, and the broker
    /// delivers the message again.</summary>
    /// <param name="channel">The channel the delivery arrived on; its ack or nack must go back on it.</param>
    /// <param name="endpoint">The consuming queue: names the <c>.dlq</c> and <c>.retry.&lt;ms&gt;</c> queues for copies.</param>
    /// <param name="delivery">The delivery; without an envelope it is dead-lettered at once, unprocessed.</param>
    /// <param name="processor">Core's handler pipeline (retry, then dead-letter) for the envelope.</param>
    /// <param name="processing">Cancels the processor: fires after the shutdown grace.</param>
    /// <param name="stopping">The receive loop's stop: cuts only the back-off pauses.</param>
    public async Task HandleAsync(IChannel channel, ConsumerEndpoint endpoint, Delivery delivery, MessageProcessor processor,
        CancellationToken processing, CancellationToken stopping)
    {
        var source = $"queue {endpoint.Name} delivery-tag {delivery.DeliveryTag}";
        foreach (var c in delivery.Conflicts) Log.HeaderPropertyConflict(logger, source, c.Header, c.HeaderValue, c.Property, c.PropertyValue);
        // An unreadable delivery goes through the pipeline too, which dead-letters it at once with the reason; the copy
        // parked below carries its headers exactly as they came.
        var envelope = delivery.Envelope
            ?? new Envelope { MessageId = "", MessageType = delivery.Properties.Type ?? "", Destination = delivery.Exchange, Body = delivery.Body };
        var incoming = new IncomingMessage(envelope, source, delivery.Redelivered)
        {
            DeliveryCount = delivery.DeliveryCount(_quorum),
            DelayedRetries = delivery.RetryCount,
            Unreadable = delivery.Envelope is null ? delivery.Error : null,
        };
        ProcessingResult result;
        try
        {
            result = await processor(incoming, processing).ConfigureAwait(false);
        }
        catch (Exception) when (processing.IsCancellationRequested)
        {
            await NackAsync(channel, delivery).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            Log.ProcessorFailed(logger, ex, envelope.MessageId, source);
            await NackAsync(channel, delivery).ConfigureAwait(false);
            await DelayAsync(stopping).ConfigureAwait(false);
            return;
        }
        switch (result.Status)
        {
            case ProcessingStatus.DeadLetter:
                await DeadLetterThenAckAsync(channel, endpoint, delivery, envelope, result.Failure!, source, stopping).ConfigureAwait(false);
                break;
            case ProcessingStatus.RetryLater:
                await RetryLaterThenAckAsync(channel, endpoint, delivery, envelope, result.RetryDelay, source, stopping).ConfigureAwait(false);
                break;
            default:
                await AckAsync(channel, delivery, source).ConfigureAwait(false);
                break;
        }
    }

    private async Task DeadLetterThenAckAsync(IChannel channel, ConsumerEndpoint endpoint, Delivery delivery, Envelope envelope,
        DeadLetterReason reason, string source, CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        var queue = RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name);
        var headers = delivery.CopyHeaders();
        foreach (var (name, value) in reason.ToHeaders(envelope, source, now)) headers[name] = Encoding.UTF8.GetBytes(value);
        var properties = new BasicProperties(delivery.Properties) { DeliveryMode = DeliveryModes.Persistent, Headers = headers };
        try
        {
            // Not cancelled by the stop: the in-flight message finishes; PublishTimeoutMs bounds the wait.
            await publisher.PublishAsync("", queue, properties, delivery.Body, envelope.MessageId,
                declareExchange: false, CancellationToken.None).ConfigureAwait(false);
            // The database and the dead-letter queue agree: recorded before the ack, or not acked at all.
            if (recorder is not null)
                await recorder.RecordAsync(new DeadLetterEntry(envelope, reason, RabbitMqTransport.TransportName, endpoint.Name, source, queue, now),
                    CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PublishException || (recorder is not null && ex is not OperationCanceledException))
        {
            Log.DeadLetterFailed(logger, ex, envelope.MessageId, source);
            await NackAsync(channel, delivery).ConfigureAwait(false);
            await DelayAsync(stopping).ConfigureAwait(false);
            return;
        }
        await AckAsync(channel, delivery, source).ConfigureAwait(false);
    }

    private async Task RetryLaterThenAckAsync(IChannel channel, ConsumerEndpoint endpoint, Delivery delivery, Envelope envelope,
        TimeSpan delay, string source, CancellationToken stopping)
    {
        var delayMs = Math.Max(1L, (long)delay.TotalMilliseconds);
        var headers = delivery.CopyHeaders();
        headers[HeaderNames.RetryCount] = Encoding.UTF8.GetBytes((delivery.RetryCount + 1).ToString(CultureInfo.InvariantCulture));
        var properties = new BasicProperties(delivery.Properties) { DeliveryMode = DeliveryModes.Persistent, Headers = headers };
        try
        {
            var queue = await topology.DeclareRetryQueueAsync(endpoint, delayMs, force: false, CancellationToken.None).ConfigureAwait(false);
            await publisher.PublishAsync("", queue, properties, delivery.Body, envelope.MessageId, declareExchange: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PublishException or MessagingException)
        {
            Log.RetryLaterFailed(logger, ex, envelope.MessageId, source, delayMs);
            await NackAsync(channel, delivery).ConfigureAwait(false);
            await DelayAsync(stopping).ConfigureAwait(false);
            return;
        }
        await AckAsync(channel, delivery, source).ConfigureAwait(false);
    }

    private async Task AckAsync(IChannel channel, Delivery delivery, string source)
    {
        try
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _settleFailures, 0);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            Log.AckFailed(logger, ex, source);
        }
    }

    private static async Task NackAsync(IChannel channel, Delivery delivery)
    {
        try
        {
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // the channel is gone: the broker requeues whatever was not acked
        }
    }

    private Task DelayAsync(CancellationToken stopping) =>
        Backoff.WaitAsync(Interlocked.Increment(ref _settleFailures), FirstPause, MaxPause, time, stopping);
}
