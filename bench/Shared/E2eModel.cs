namespace Messaging.Benchmarks.E2e;

// Shared by the harness and the peer processes (linked source), so every contender writes the same rows.

/// <summary>The event of the main job: an order was placed; the customer id is the partition key.</summary>
public sealed record OrderPlaced(Guid OrderId, long Seq, string CustomerId, decimal Amount);

/// <summary>The business row written in the same transaction as the outbox message.</summary>
public sealed class E2eOrder
{
    public Guid Id { get; set; }
    public long Seq { get; set; }
    public string CustomerId { get; set; } = "";
    public decimal Amount { get; set; }
    public DateTime PlacedAt { get; set; }
}

/// <summary>The handler's row. No unique key on purpose, so an order applied twice shows as two rows.</summary>
public sealed class AppliedOrder
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public long Seq { get; set; }
    public string CustomerId { get; set; } = "";
    /// <summary>UTC ticks when the handler ran: the "handled" end of the latency.</summary>
    public long AppliedAtTicks { get; set; }

    public static AppliedOrder For(OrderPlaced message) => new()
    {
        OrderId = message.OrderId,
        Seq = message.Seq,
        CustomerId = message.CustomerId,
        AppliedAtTicks = DateTime.UtcNow.Ticks,
    };
}

/// <summary>Keys and table DDL shared by every contender.</summary>
public static class E2eModel
{
    public const string OrdersTable = "e2e_orders";
    public const string AppliedTable = "e2e_applied_orders";

    /// <summary>The partition key of order <paramref name="seq"/>: one of <paramref name="keys"/> customers.</summary>
    public static string Customer(long seq, int keys) => $"customer-{seq % keys}";

    public static E2eOrder NewOrder(long seq, int keys) => new()
    {
        Id = Guid.CreateVersion7(),
        Seq = seq,
        CustomerId = Customer(seq, keys),
        Amount = 10m + seq % 100,
        PlacedAt = DateTime.UtcNow,
    };

    public static OrderPlaced Event(E2eOrder order) => new(order.Id, order.Seq, order.CustomerId, order.Amount);
}
