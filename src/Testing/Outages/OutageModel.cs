using Messaging.Handling;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outage;

/// <summary>An order placed: the message of the outage runs.</summary>
public sealed record OutageOrder(long OrderId);

/// <summary>Orders (written with their outbox row), applied orders (written by the handler with its inbox row), and
/// the messaging tables: what the outage runs count from.</summary>
public sealed class OutageDbContext(DbContextOptions<OutageDbContext> options) : DbContext(options)
{
    public DbSet<PlacedOrder> Orders => Set<PlacedOrder>();
    public DbSet<AppliedOrder> Applied => Set<AppliedOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PlacedOrder>().ToTable("outage_orders").Property(o => o.Id).ValueGeneratedNever();
        modelBuilder.Entity<AppliedOrder>().ToTable("outage_applied");
        modelBuilder.AddMessagingTables();
    }
}

public sealed class PlacedOrder
{
    public long Id { get; set; }
}

public sealed class AppliedOrder
{
    public long Id { get; set; }
    public long OrderId { get; set; }
}

/// <summary>Applies an order: one business row per execution (the inbox makes it one per message).</summary>
public sealed class ApplyOutageOrderHandler(OutageDbContext db) : IMessageHandler<OutageOrder>
{
    /// <summary>Time each application takes; 0 for none.</summary>
    public static int DelayMs { get; set; }

    public async Task HandleAsync(OutageOrder message, MessageContext context, CancellationToken cancellationToken)
    {
        if (DelayMs > 0) await Task.Delay(DelayMs, cancellationToken);
        db.Applied.Add(new AppliedOrder { OrderId = message.OrderId });
        await db.SaveChangesAsync(cancellationToken);
    }
}
