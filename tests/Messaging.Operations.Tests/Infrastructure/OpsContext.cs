using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>The application's DbContext: what the handler applied, plus the messaging tables.</summary>
public sealed class OpsContext(DbContextOptions<OpsContext> options) : DbContext(options)
{
    public DbSet<Applied> Applied => Set<Applied>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Applied>(e =>
        {
            e.ToTable("applied");
            e.Property(a => a.Id).HasColumnName("id");
            e.Property(a => a.MessageId).HasColumnName("message_id");
            e.Property(a => a.OrderId).HasColumnName("order_id");
        });
        modelBuilder.AddMessagingTables();
    }
}

/// <summary>One application of an order by the handler; no unique key, so applying twice would show.</summary>
public sealed class Applied
{
    public long Id { get; set; }
    public string MessageId { get; set; } = "";
    public string OrderId { get; set; } = "";
}

/// <summary>The message: a poison one fails in the handler until the handler is "fixed".</summary>
public sealed record Ordered(string OrderId, bool Poison);
