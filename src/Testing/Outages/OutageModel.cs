using Messaging.Handling;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Testing.Outages;

/// <summary>An order placed: the message of the outage runs.</summary>
/// <param name="OrderId">The order's id; its partition key is <c>customer-</c>(id mod 64).</param>
public sealed record OutageOrder(long OrderId);

/// <summary>Orders (written with their outbox row), applied orders (written by the handler with its inbox row), and
/// the messaging tables (<c>AddMessagingTables</c>): what the outage runs count from.</summary>
/// <param name="options">The context's options.</param>
public sealed class OutageDbContext(DbContextOptions<OutageDbContext> options) : DbContext(options)
{
    /// <summary>Placed orders (table <c>outage_orders</c>).</summary>
    public DbSet<PlacedOrder> Orders => Set<PlacedOrder>();

    /// <summary>One row per execution of the handler (table <c>outage_applied</c>), with no unique key, so an order
    /// applied twice shows as two rows.</summary>
    public DbSet<AppliedOrder> Applied => Set<AppliedOrder>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PlacedOrder>().ToTable("outage_orders").Property(o => o.Id).ValueGeneratedNever();
        modelBuilder.Entity<AppliedOrder>().ToTable("outage_applied");
        modelBuilder.AddMessagingTables();
    }
}

/// <summary>A placed order's business row.</summary>
public sealed class PlacedOrder
{
    /// <summary>The order's id.</summary>
    public long Id { get; set; }
}

/// <summary>One execution of the handler for an order.</summary>
public sealed class AppliedOrder
{
    /// <summary>The row's own id (generated).</summary>
    public long Id { get; set; }

    /// <summary>The order applied.</summary>
    public long OrderId { get; set; }
}

/// <summary>Applies an order: one business row per execution (the inbox makes it one per message).</summary>
/// <param name="db">The handler's context, whose transaction the inbox row joins.</param>
public sealed class ApplyOutageOrderHandler(OutageDbContext db) : IMessageHandler<OutageOrder>
{
    /// <inheritdoc />
    public async Task HandleAsync(OutageOrder message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Applied.Add(new AppliedOrder { OrderId = message.OrderId });
        await db.SaveChangesAsync(cancellationToken);
    }
}
