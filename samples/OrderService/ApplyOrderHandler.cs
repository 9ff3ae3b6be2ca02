using Messaging.Handling;

namespace OrderService;

/// <summary>Applies an order to the applied_orders table. Runs inside the inbox transaction, so a
/// redelivered or duplicated OrderPlaced is skipped instead of applied again.</summary>
public sealed class ApplyOrderHandler(OrdersDbContext db) : IMessageHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        if (message.Quantity <= 0)
            throw new InvalidOperationException($"Order {message.OrderId} has quantity {message.Quantity}; it must be positive.");
        db.AppliedOrders.Add(new AppliedOrder
        {
            OrderId = message.OrderId,
            MessageId = context.Envelope.MessageId,
            Amount = message.Amount,
            AppliedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
