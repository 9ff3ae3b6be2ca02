using Messaging.Handling;

namespace Messaging.Outbox.Bridge;

/// <summary>The transport a bridge forwards <typeparamref name="TMessage"/> to (singleton per message type).</summary>
internal sealed record OutboxBridgeTarget<TMessage>(string Transport);

/// <summary>
/// Forwards the received envelope unchanged (message id, headers, key, body) to another transport through the
/// outbox. Runs inside the inbox transaction, which saves the outbox row together with the inbox row: the forward
/// happens once per message id, and a crash before the commit leads to redelivery, never to a lost forward.
/// </summary>
internal sealed class OutboxBridgeHandler<TMessage>(IOutbox outbox, OutboxBridgeTarget<TMessage> target) : IMessageHandler<TMessage>
{
    public Task HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        outbox.Enqueue(context.Envelope, target.Transport);
        return Task.CompletedTask;
    }
}
