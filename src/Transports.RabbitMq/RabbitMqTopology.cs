using System.Collections.Concurrent;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq;

/// <summary>
/// Declares destinations (durable topic exchanges) and endpoints (durable queue of the configured type
/// bound with <c>#</c>, dead-lettering to <c>&lt;name&gt;.dlq</c>). Declared names are cached; each
/// declaration uses a short-lived channel so a refused declaration never closes the publish channel.
/// </summary>
internal sealed class RabbitMqTopology(RabbitMqConnection connection, RabbitMqOptions options, ILogger logger)
{
    private readonly ConcurrentDictionary<string, byte> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _endpoints = new(StringComparer.Ordinal);

    private string QueueTypeArgument => options.QueueType == RabbitMqQueueType.Classic ? "classic" : "quorum";

    /// <summary>Declares a destination exchange unless declared before.</summary>
    /// <exception cref="MessagingException">The broker refused the declaration.</exception>
    public async Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        if (_exchanges.ContainsKey(exchange)) return;
        await WithChannelAsync($"exchange '{exchange}'", channel => DeclareExchangeCoreAsync(channel, exchange, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a cached exchange (it was deleted on the broker), so the next send declares it again.</summary>
    public void Forget(string exchange) => _exchanges.TryRemove(exchange, out _);

    /// <summary>Declares an endpoint's queue, dead-letter queue, exchanges and bindings unless declared before.</summary>
    /// <exception cref="MessagingException">The broker refused a declaration, for example a queue that exists with other arguments.</exception>
    public async Task DeclareEndpointAsync(ConsumerEndpoint endpoint, bool force, CancellationToken cancellationToken)
    {
        if (!force && _endpoints.ContainsKey(endpoint.Name)) return;
        await WithChannelAsync($"endpoint queue '{endpoint.Name}'", async channel =>
        {
            var queueType = QueueTypeArgument;
            await channel.QueueDeclareAsync(endpoint.DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = queueType }, cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueDeclareAsync(endpoint.Name, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-queue-type"] = queueType,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = endpoint.DeadLetterQueue,
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var destination in endpoint.Destinations)
            {
                await DeclareExchangeCoreAsync(channel, destination, cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(endpoint.Name, destination, "#", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            _endpoints[endpoint.Name] = 0;
            Log.EndpointDeclared(logger, queueType, endpoint.Name, endpoint.DeadLetterQueue, string.Join(", ", endpoint.Destinations));
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeclareExchangeCoreAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        _exchanges[exchange] = 0;
    }

    private async Task WithChannelAsync(string what, Func<IChannel, Task> declare, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(null, cancellationToken).ConfigureAwait(false);
        try
        {
            await declare(channel).ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (connection.IsOpen)
        {
            var reason = ex.ShutdownReason;
            throw new MessagingException($"RabbitMQ at {connection.Broker} refused the topology of {what}: {reason?.ReplyCode} {reason?.ReplyText}", ex);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException)
        {
            throw new MessagingException($"RabbitMQ connection to {connection.Broker} was lost while declaring {what}.", ex);
        }
        finally
        {
            try
            {
                if (channel.IsOpen) await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException) { /* closing a broken channel */ }
            channel.Dispose();
        }
    }
}
