using System.Collections.Concurrent;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq;

/// <summary>
/// Declares destinations (durable topic exchanges) and endpoints (durable queue of the configured type bound
/// with <c>#</c>, dead-lettering to <c>&lt;name&gt;.dlq</c>, one retry queue per delayed-retry delay). With
/// <c>DeclareTopology = false</c> it declares nothing and verifies passively instead. Declared names are
/// cached; each declaration uses a short-lived channel so a refused declaration never closes another channel.
/// </summary>
internal sealed class RabbitMqTopology(RabbitMqConnection connection, RabbitMqOptions options, IReadOnlyList<int> retryDelaysMs, ILogger logger)
{
    private readonly ConcurrentDictionary<string, byte> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _retryQueues = new(StringComparer.Ordinal);

    /// <summary>Declares a destination exchange unless declared before (nothing when topology is not ours).</summary>
    /// <exception cref="MessagingException">The broker refused the declaration.</exception>
    public async Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        if (!options.DeclareTopology || _exchanges.ContainsKey(exchange)) return;
        await WithChannelAsync($"exchange '{exchange}'", channel => DeclareExchangeCoreAsync(channel, exchange, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a cached exchange (it was deleted on the broker), so the next send declares it again.</summary>
    public void Forget(string exchange) => _exchanges.TryRemove(exchange, out _);

    /// <summary>Declares (or verifies) an endpoint's queue, dead-letter queue, retry queues, exchanges and bindings.</summary>
    /// <exception cref="MessagingException">The broker refused a declaration (for example a queue that exists with
    /// other arguments), or, when verifying, an exchange or queue is missing.</exception>
    public async Task DeclareEndpointAsync(ConsumerEndpoint endpoint, bool force, CancellationToken cancellationToken)
    {
        if (!force && _endpoints.ContainsKey(endpoint.Name)) return;
        if (!options.DeclareTopology)
        {
            await VerifyEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
            _endpoints[endpoint.Name] = 0;
            return;
        }
        await WithChannelAsync($"endpoint queue '{endpoint.Name}'", async channel =>
        {
            await DeclareQueueAsync(channel, RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name), RabbitMqQueueArguments.DeadLetter(options), QueueTypeOnly, cancellationToken).ConfigureAwait(false);
            await DeclareQueueAsync(channel, endpoint.Name, RabbitMqQueueArguments.Endpoint(endpoint, options), EndpointQueueSettings, cancellationToken).ConfigureAwait(false);
            foreach (var destination in endpoint.Destinations)
            {
                await DeclareExchangeCoreAsync(channel, destination, cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(endpoint.Name, destination, "#", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        foreach (var delay in retryDelaysMs.Distinct())
            await DeclareRetryQueueAsync(endpoint, delay, force, cancellationToken).ConfigureAwait(false);
        _endpoints[endpoint.Name] = 0;
        Log.EndpointDeclared(logger, RabbitMqQueueArguments.QueueType(options), endpoint.Name, RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name), string.Join(", ", endpoint.Destinations));
    }

    /// <summary>Declares (or verifies) the retry queue for one delay and returns its name.</summary>
    /// <exception cref="MessagingException">Refused, or missing when topology is not ours.</exception>
    public async Task<string> DeclareRetryQueueAsync(ConsumerEndpoint endpoint, long delayMs, bool force, CancellationToken cancellationToken)
    {
        var name = RabbitMqQueueArguments.RetryQueue(endpoint.Name, delayMs);
        if (!force && _retryQueues.ContainsKey(name)) return name;
        if (options.DeclareTopology)
            await WithChannelAsync($"retry queue '{name}'", channel =>
                DeclareQueueAsync(channel, name, RabbitMqQueueArguments.Retry(endpoint, delayMs, options), QueueTypeOnly, cancellationToken), cancellationToken).ConfigureAwait(false);
        else
            await VerifyAsync("queue", name, channel => channel.QueueDeclarePassiveAsync(name, cancellationToken), cancellationToken).ConfigureAwait(false);
        _retryQueues[name] = 0;
        return name;
    }

    private async Task VerifyEndpointAsync(ConsumerEndpoint endpoint, CancellationToken cancellationToken)
    {
        foreach (var destination in endpoint.Destinations)
            await VerifyAsync("exchange", destination, channel => channel.ExchangeDeclarePassiveAsync(destination, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var queue in new[] { endpoint.Name, RabbitMqQueueArguments.DeadLetterQueue(endpoint.Name) })
            await VerifyAsync("queue", queue, channel => channel.QueueDeclarePassiveAsync(queue, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var delay in retryDelaysMs.Distinct())
            await DeclareRetryQueueAsync(endpoint, delay, force: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task VerifyAsync(string kind, string name, Func<IChannel, Task> passive, CancellationToken cancellationToken)
    {
        try
        {
            await WithChannelAsync($"{kind} '{name}'", passive, cancellationToken).ConfigureAwait(false);
        }
        catch (MessagingException ex) when (ex.InnerException is OperationInterruptedException { ShutdownReason.ReplyCode: 404 })
        {
            throw new MessagingException(
                $"RabbitMQ at {connection.Broker} has no {kind} '{name}'. {RabbitMqOptions.SectionName}:DeclareTopology is false, so it must be declared by operations before this service starts.", ex);
        }
    }

    /// <summary>The settings an endpoint queue's arguments come from, named by a 406; a dead-letter or retry queue's come from
    /// <c>QueueType</c> alone (only the endpoint queue carries <c>x-single-active-consumer</c>).</summary>
    private static readonly string EndpointQueueSettings = $"{RabbitMqOptions.SectionName}:QueueType and {RabbitMqOptions.SectionName}:SingleActiveConsumer";
    private static readonly string QueueTypeOnly = $"{RabbitMqOptions.SectionName}:QueueType";

    private async Task DeclareQueueAsync(IChannel channel, string queue, IDictionary<string, object?> arguments, string settings, CancellationToken cancellationToken)
    {
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            // The queue exists with other x- arguments, which a redeclare cannot change.
            throw new MessagingException(
                $"RabbitMQ at {connection.Broker} refused queue '{queue}': 406 {ex.ShutdownReason.ReplyText}. An existing queue keeps the arguments " +
                $"it was declared with: set {settings} to what it has, " +
                "or delete the queue (after draining it) so that it is declared again.", ex);
        }
    }

    private async Task DeclareExchangeCoreAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        _exchanges[exchange] = 0;
    }

    private async Task WithChannelAsync(string what, Func<IChannel, Task> declare, CancellationToken cancellationToken)
    {
        IChannel channel;
        try
        {
            channel = await connection.CreateChannelAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or IOException)
        {
            throw new BrokerUnavailableException($"RabbitMQ connection to {connection.Broker} is down (recovering) while declaring {what}.", ex);
        }
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
            throw new BrokerUnavailableException($"RabbitMQ connection to {connection.Broker} was lost while declaring {what}.", ex);
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
