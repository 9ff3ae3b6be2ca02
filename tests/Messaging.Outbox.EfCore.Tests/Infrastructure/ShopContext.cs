using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>The application's own DbContext: business tables plus the messaging tables.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<Shipment> Shipments => Set<Shipment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.Property(o => o.Id).HasColumnName("id");
            e.Property(o => o.Number).HasColumnName("number").HasMaxLength(100);
            e.HasIndex(o => o.Number).IsUnique();
        });
        modelBuilder.Entity<Shipment>(e =>
        {
            e.ToTable("shipments");
            e.Property(s => s.Id).HasColumnName("id");
            e.Property(s => s.OrderNumber).HasColumnName("order_number").HasMaxLength(100);
        });
        modelBuilder.AddMessagingTables();
    }
}

public sealed class Order
{
    public long Id { get; set; }
    public string Number { get; set; } = "";
}

public sealed class Shipment
{
    public long Id { get; set; }
    public string OrderNumber { get; set; } = "";
}

public sealed record OrderPlaced(string Number);

public sealed record Unrouted(string Note);

/// <summary>Routed through a second transport, so that the host uses it (rows may only name transports their host uses).</summary>
public sealed record SecondaryNote(string Note);
