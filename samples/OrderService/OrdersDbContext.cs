using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace OrderService;

/// <summary>The application's own DbContext; the outbox and inbox tables live in it.</summary>
public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<AppliedOrder> AppliedOrders => Set<AppliedOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.Property(o => o.Id).HasColumnName("id");
            e.Property(o => o.CustomerId).HasColumnName("customer_id");
            e.Property(o => o.Quantity).HasColumnName("quantity");
            e.Property(o => o.Amount).HasColumnName("amount");
            e.Property(o => o.PlacedAt).HasColumnName("placed_at");
        });
        modelBuilder.Entity<AppliedOrder>(e =>
        {
            e.ToTable("applied_orders");
            e.Property(a => a.Id).HasColumnName("id");
            e.Property(a => a.OrderId).HasColumnName("order_id");
            e.Property(a => a.MessageId).HasColumnName("message_id");
            e.Property(a => a.Amount).HasColumnName("amount");
            e.Property(a => a.AppliedAt).HasColumnName("applied_at");
            e.HasIndex(a => a.OrderId);
        });
        modelBuilder.AddMessagingTables();
    }
}
