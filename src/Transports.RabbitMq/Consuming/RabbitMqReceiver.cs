using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq.Consuming;

/// <summary>
/// The receive loop of one endpoint: its own channel with <c>basic.qos</c> prefetch and a manual-ack consumer
/// feeding <see cref="DeliveryLanes"/> (<c>ConcurrentMessageLimit</c> lanes, one key per lane). Each message is
/// settled by <see cref="DeliverySettler"/> after its processing. The consumer is recovered with the connection
/// by the client; if it ends anyway (channel error, queue deleted, broker cancel) the loop consumes again.
/// On stop: <c>basic.cancel</c>, handlers in flight get <c>ShutdownGraceMs</c> to finish and are acked, queued
/// deliveries stay unacked (the broker requeues them when the channel closes), then the channel closes.
/// </summary>
internal sealed class RabbitMqReceiver(RabbitMqConnection connection, RabbitMqTopology topology, DeliverySettler settler,
    RabbitMqOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>First and longest pause before consuming again after the consumer ended (backoff with jitter).</summary>
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(15);

    public async Task RunAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        var redeclare = false;
        for (var failures = 1; !stoppingToken.IsCancellationRequested; failures++)
        {
            string? ended;
            try
            {
                await topology.DeclareEndpointAsync(endpoint, redeclare, stoppingToken).ConfigureAwait(false);
                ended = await ConsumeAsync(endpoint, processor, () => failures = 0, stoppingToken).ConfigureAwait(false);
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
            // While the broker is down the transport's health logs the outage; one line per retry would only repeat it.
            if (connection.IsOpen) Log.ConsumerRestarting(logger, endpoint.Name, ended);
            redeclare = true;
            // Cut short when the connection is back: a broker killed again and again leaves only short windows to consume in.
            if (!await connection.Health.WaitOrUntilAvailableAsync(Backoff.Delay(Math.Max(1, failures), FirstRetry, MaxRetry), time, stoppingToken).ConfigureAwait(false)) break;
        }
        Log.ConsumerStopped(logger, endpoint.Name);
    }

    /// <summary>Consumes until stopped (returns null) or until the consumer ends without a stop (returns why).</summary>
    private async Task<string?> ConsumeAsync(ConsumerEndpoint endpoint, MessageProcessor processor, Action consuming, CancellationToken stoppingToken)
    {
        var channel = await connection.CreateChannelAsync(null, stoppingToken).ConfigureAwait(false);
        using var ended = new CancellationTokenSource();
        using var stopPicking = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, ended.Token);
        using var processing = new CancellationTokenSource();
        string? endReason = null;
        void End(string reason)
        {
            endReason ??= reason;
            try { ended.Cancel(); } catch (ObjectDisposedException) { /* already over */ }
        }
        var lanes = new DeliveryLanes(options.ConcurrentMessageLimit,
            delivery => settler.HandleAsync(channel, endpoint, delivery, processor, processing.Token, stoppingToken), stopPicking.Token);
        string? consumerTag = null;
        try
        {
            await channel.BasicQosAsync(0, (ushort)options.Prefetch, global: false, stoppingToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, args) =>
            {
                lanes.Post(Delivery.From(args));
                return Task.CompletedTask;
            };
            consumer.UnregisteredAsync += (_, _) =>
            {
                if (!stoppingToken.IsCancellationRequested) End("the broker cancelled the consumer");
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, args) =>
            {
                // A channel-level error (403-406) is not recovered; a lost connection is, with this consumer.
                if (args.Initiator == ShutdownInitiator.Peer && args.ReplyCode is >= 403 and <= 406)
                    End($"channel closed by the broker: {args.ReplyCode} {args.ReplyText}");
                return Task.CompletedTask;
            };
            consumerTag = await channel.BasicConsumeAsync(endpoint.Name, autoAck: false, consumer, stoppingToken).ConfigureAwait(false);
            Log.ConsumerStarted(logger, endpoint.Name, options.Prefetch, options.ConcurrentMessageLimit);
            consuming();
            try { await Task.Delay(Timeout.Infinite, stopPicking.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { /* stopped or ended */ }
            return stoppingToken.IsCancellationRequested ? null : endReason ?? "the consumer ended";
        }
        finally
        {
            // Stop deliveries first; handlers in flight get the grace to finish and be acked.
            if (consumerTag is not null && channel.IsOpen)
                await QuietlyAsync(() => channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None)).ConfigureAwait(false);
            if (lanes.InFlight > 0 && stoppingToken.IsCancellationRequested) Log.Draining(logger, endpoint.Name, lanes.InFlight, options.ShutdownGraceMs);
            using var grace = time.CreateTimer(_ => processing.Cancel(), null, TimeSpan.FromMilliseconds(options.ShutdownGraceMs), Timeout.InfiniteTimeSpan);
            await lanes.CompleteAsync().ConfigureAwait(false);
            // Closing the channel requeues every delivery not acked.
            await QuietlyAsync(() => channel.CloseAsync(CancellationToken.None)).ConfigureAwait(false);
            channel.Dispose();
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
}
