using Messaging.Benchmarks.E2e;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Benchmarks.Model;

/// <summary>Our side of the e2e scenarios: the main job's tables plus our outbox and inbox tables.</summary>
public sealed class E2eDbContext(DbContextOptions<E2eDbContext> options) : DbContext(options)
{
    public DbSet<E2eOrder> Orders => Set<E2eOrder>();
    public DbSet<AppliedOrder> AppliedOrders => Set<AppliedOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        E2eMapping.Map(modelBuilder);
        modelBuilder.AddMessagingTables();
    }
}
