namespace OrderService;

/// <summary>The business row the application writes together with its outbox row.</summary>
public sealed class Order
{
    public Guid Id { get; set; }
    public string CustomerId { get; set; } = "";
    public int Quantity { get; set; }
    public decimal Amount { get; set; }
    public DateTime PlacedAt { get; set; }
}

/// <summary>One row per application of an order by the consumer. No unique key on purpose: a double
/// application would show as two rows, so "applied twice" is counted, not assumed.</summary>
public sealed class AppliedOrder
{
    public long Id { get; set; }
    public Guid OrderId { get; set; }
    public string MessageId { get; set; } = "";
    public decimal Amount { get; set; }
    public DateTime AppliedAt { get; set; }
}

/// <summary>The event published for each order; the partition key is the customer id.</summary>
public sealed record OrderPlaced(Guid OrderId, string CustomerId, int Quantity, decimal Amount);
