using Messaging.Hosting;
using Messaging.Outbox.Bridge;
using Messaging.Outbox.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Outbox;

/// <summary>Forwards messages from the transports this endpoint consumes to another transport, through the outbox.</summary>
public static class OutboxBridgeMessagingBuilderExtensions
{
    /// <summary>
    /// Adds a handler that forwards every <typeparamref name="TMessage"/> this endpoint receives to the transport
    /// <paramref name="toTransport"/> through the outbox, unchanged: same message id, type, destination, partition
    /// key, headers and body (for migrating between brokers: consumers on the other broker see the same message id,
    /// so their inbox recognises a message that arrives through both). The outbox row commits in the inbox
    /// transaction (once per message id; at-least-once across crashes) and the dispatcher publishes it with a
    /// publisher confirm. A forwarded message that comes back through <paramref name="toTransport"/> (this endpoint
    /// consumes both) is skipped by the inbox, so bridges do not loop.
    /// </summary>
    /// <typeparam name="TMessage">A mapped message type; this endpoint subscribes to its destination.</typeparam>
    /// <param name="builder">The builder; <c>AddEntityFrameworkOutbox</c> must have been called on it.</param>
    /// <param name="toTransport">The registered transport to forward to (<c>RabbitMq</c>, <c>Kafka</c>).</param>
    /// <param name="handlerName">Stable inbox name of the bridge handler; default <c>outbox-bridge:{toTransport}:{type}</c>.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="toTransport"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The outbox is not registered, or <typeparamref name="TMessage"/> is bridged already.</exception>
    public static MessagingBuilder AddOutboxBridge<TMessage>(this MessagingBuilder builder, string toTransport, string? handlerName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(toTransport);
        if (!builder.Services.Any(d => d.ServiceType == typeof(IOutbox)))
            throw new InvalidOperationException("AddOutboxBridge needs the outbox: call AddEntityFrameworkOutbox<TContext>() first.");
        if (builder.Services.Any(d => d.ServiceType == typeof(OutboxBridgeTarget<TMessage>)))
            throw new InvalidOperationException($"{typeof(TMessage).Name} is bridged already; one bridge per message type.");
        builder.Services.AddSingleton(new OutboxBridgeTarget<TMessage>(toTransport));
        builder.Services.AddSingleton(new OutboxTransportTarget(toTransport));
        return builder.AddHandler<TMessage, OutboxBridgeHandler<TMessage>>(handlerName ?? $"outbox-bridge:{toTransport}:{typeof(TMessage).FullName}");
    }
}
