using Messaging.Handling;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>Writes a shipment row on the scoped ShopContext; the inbox commits it with the inbox row.</summary>
public sealed class ShipOrderHandler(ShopContext db, Probe probe) : IMessageHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Seen.Enqueue(context.Envelope.MessageId);
        db.Shipments.Add(new Shipment { OrderNumber = message.Number });
        if (probe.FailFirstAttempt && context.Attempt == 1)
        {
            await db.SaveChangesAsync(cancellationToken); // saved inside the inbox transaction, then rolled back
            throw new InvalidOperationException("simulated handler failure on the first attempt");
        }
    }
}
