using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Orders;

public sealed record PlaceOrder(string CustomerId, decimal Amount);

public sealed record OrderPlaced(Guid OrderId, string CustomerId, decimal Amount);

public sealed record OrderShipped(Guid OrderId, string CustomerId);

public sealed class Order
{
    public Guid Id { get; set; }
    public string CustomerId { get; set; } = "";
    public decimal Amount { get; set; }
    public DateTime? ShippedAt { get; set; }
    public DateTime? CustomerNotifiedAt { get; set; }
}

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.AddMessagingTables();                           // messaging_outbox, messaging_inbox, messaging_dead_letters, ...
    }
}
