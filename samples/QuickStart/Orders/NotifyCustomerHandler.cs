using Messaging.Handling;

namespace Orders;

/// <summary>Reacts to the OrderShipped message ShipOrderHandler published through the outbox (another service would, too:
/// each endpoint has its own queue on the exchange).</summary>
[HandlerName("notify-customer")]
public sealed class NotifyCustomerHandler(OrdersDbContext db) : IMessageHandler<OrderShipped>
{
    public async Task HandleAsync(OrderShipped message, MessageContext context, CancellationToken cancellationToken)
    {
        var order = await db.Orders.FindAsync([message.OrderId], cancellationToken)
            ?? throw new InvalidOperationException($"order {message.OrderId} does not exist");
        order.CustomerNotifiedAt = DateTime.UtcNow;                  // saved by the inbox, with its record of this message
    }
}
