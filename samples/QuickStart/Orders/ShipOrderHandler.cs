using Messaging.Handling;
using Messaging.Outbox;
using Messaging.Publishing;

namespace Orders;

/// <summary>Ships a placed order and announces it. The inbox runs it in one transaction on the scoped OrdersDbContext with
/// the row that records (message id, "ship-order"): its changes and the OrderShipped outbox row commit together, once per
/// message, also when the broker delivers OrderPlaced again. No SaveChangesAsync here: the inbox saves and commits.</summary>
[HandlerName("ship-order")]
public sealed class ShipOrderHandler(OrdersDbContext db, IOutbox outbox) : IMessageHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await db.Orders.FindAsync([message.OrderId], cancellationToken)
            ?? throw new InvalidOperationException($"order {message.OrderId} does not exist"); // retried, then dead-lettered
        order.ShippedAt = DateTime.UtcNow;
        outbox.Enqueue(new OrderShipped(order.Id, order.CustomerId),
            new PublishOptions { CorrelationId = context.Envelope.CorrelationId, CausationId = context.Envelope.MessageId });
    }
}
