using System.Text;
using System.Threading.Channels;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq;

/// <summary>
/// The receive loop of one endpoint: its own channel with <c>basic.qos</c> prefetch and a manual-ack
/// consumer. Deliveries are handled one at a time in delivery order; a message is acked only after the
/// processor returned (and, for a dead-letter, after the dead-letter publish was confirmed). A message
/// whose processing threw or was cancelled is nacked with requeue and redelivered.
/// </summary>
internal sealed class RabbitMqReceiver(
    RabbitMqConnection connection, RabbitMqTopology topology, RabbitMqPublisher publisher,
    RabbitMqOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Pause before consuming again after the consumer ended, and after a failure to settle a message.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    public async Task RunAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        var redeclare = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? ended;
            try
            {
                await topology.DeclareEndpointAsync(endpoint, redeclare, stoppingToken).ConfigureAwait(false);
                ended = await ConsumeAsync(endpoint, processor, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is MessagingException or OperationInterruptedException or IOException)
            {
                ended = ex.Message;
            }
            if (ended is null) break;
            Log.ConsumerRestarting(logger, endpoint.Name, ended);
            redeclare = true;
            if (!await DelayAsync(stoppingToken).ConfigureAwait(false)) break;
        }
        Log.ConsumerStopped(logger, endpoint.Name);
    }

    /// <summary>Consumes until stopped (returns null) or until the consumer ends without a stop (returns why).</summary>
    private async Task<string?> ConsumeAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        var channel = await connection.CreateChannelAsync(null, stoppingToken).ConfigureAwait(false);
        try
        {
            await channel.BasicQosAsync(0, (ushort)options.Prefetch, global: false, stoppingToken).ConfigureAwait(false);
            var deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            string? endReason = null;
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, args) =>
            {
                deliveries.Writer.TryWrite(Delivery.From(args));
                return Task.CompletedTask;
            };
            consumer.UnregisteredAsync += (_, _) =>
            {
                endReason ??= "the broker cancelled the consumer";
                deliveries.Writer.TryComplete();
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, args) =>
            {
                // A channel-level error (403-406) is not recovered; a lost connection is, with this consumer.
                if (args.Initiator == ShutdownInitiator.Peer && args.ReplyCode is >= 403 and <= 406)
                {
                    endReason = $"channel closed by the broker: {args.ReplyCode} {args.ReplyText}";
                    deliveries.Writer.TryComplete();
                }
                return Task.CompletedTask;
            };
            var consumerTag = await channel.BasicConsumeAsync(endpoint.Name, autoAck: false, consumer, stoppingToken).ConfigureAwait(false);
            Log.ConsumerStarted(logger, endpoint.Name, options.Prefetch);
            try
            {
                while (await deliveries.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    while (deliveries.Reader.TryRead(out var delivery))
                    {
                        if (!await HandleAsync(channel, endpoint, delivery, processor, stoppingToken).ConfigureAwait(false)) return null;
                    }
                }
                return endReason ?? "the consumer ended";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                // Stop deliveries first; closing the channel then requeues everything not acked.
                await QuietlyAsync(() => channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None)).ConfigureAwait(false);
            }
        }
        finally
        {
            await QuietlyAsync(() => channel.CloseAsync(CancellationToken.None)).ConfigureAwait(false);
            channel.Dispose();
        }
    }

    /// <summary>Processes and settles one delivery; false when stopping (the delivery was nacked with requeue).</summary>
    private async Task<bool> HandleAsync(IChannel channel, ConsumerEndpoint endpoint, Delivery delivery, MessageProcessor processor, CancellationToken stoppingToken)
    {
        var source = $"queue {endpoint.Name} delivery-tag {delivery.DeliveryTag}";
        if (delivery.Envelope is not { } envelope)
        {
            Log.UnreadableDelivery(logger, source, delivery.Error!);
            var unreadable = new Envelope { MessageId = "", MessageType = delivery.Properties.Type ?? "", Destination = delivery.Exchange, Body = delivery.Body };
            var reason = new DeadLetterReason($"envelope could not be read: {delivery.Error}", null, null, 0);
            return await DeadLetterThenAckAsync(channel, endpoint, delivery, unreadable, reason, source, stoppingToken).ConfigureAwait(false);
        }

        ProcessingResult result;
        try
        {
            result = await processor(new IncomingMessage(envelope, source, delivery.Redelivered), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            await NackAsync(channel, delivery).ConfigureAwait(false);
            return false;
        }
        catch (Exception ex)
        {
            Log.ProcessorFailed(logger, ex, envelope.MessageId, source);
            await NackAsync(channel, delivery).ConfigureAwait(false);
            return await DelayAsync(stoppingToken).ConfigureAwait(false);
        }

        if (result.Status == ProcessingStatus.DeadLetter)
            return await DeadLetterThenAckAsync(channel, endpoint, delivery, envelope, result.DeadLetter!, source, stoppingToken).ConfigureAwait(false);
        await AckAsync(channel, delivery, source).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> DeadLetterThenAckAsync(IChannel channel, ConsumerEndpoint endpoint, Delivery delivery, Envelope envelope,
        DeadLetterReason reason, string source, CancellationToken stoppingToken)
    {
        var properties = new BasicProperties(delivery.Properties) { DeliveryMode = DeliveryModes.Persistent };
        var headers = delivery.Properties.Headers is { } raw ? new Dictionary<string, object?>(raw, StringComparer.Ordinal) : [];
        foreach (var (name, value) in reason.ToHeaders(envelope, source, time.GetUtcNow())) headers[name] = Encoding.UTF8.GetBytes(value);
        properties.Headers = headers;
        try
        {
            // Not cancelled by the stop: the in-flight message finishes; PublishTimeoutMs bounds the wait.
            await publisher.PublishAsync("", endpoint.DeadLetterQueue, properties, delivery.Body, envelope.MessageId,
                declareExchange: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (PublishException ex)
        {
            Log.DeadLetterFailed(logger, ex, envelope.MessageId, source);
            await NackAsync(channel, delivery).ConfigureAwait(false);
            return await DelayAsync(stoppingToken).ConfigureAwait(false);
        }
        await AckAsync(channel, delivery, source).ConfigureAwait(false);
        return true;
    }

    private async Task AckAsync(IChannel channel, Delivery delivery, string source)
    {
        try
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            Log.AckFailed(logger, ex, source);
        }
    }

    private static Task NackAsync(IChannel channel, Delivery delivery) =>
        QuietlyAsync(() => channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None));

    private static async Task QuietlyAsync(Func<ValueTask> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // the channel is gone: the broker requeues whatever was not acked
        }
    }

    private static async Task QuietlyAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // the channel is gone: the broker requeues whatever was not acked
        }
    }

    private async Task<bool> DelayAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Backoff, time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
