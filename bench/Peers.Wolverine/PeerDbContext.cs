using Messaging.Benchmarks.E2e;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Benchmarks.Peers.Wolverine;

/// <summary>The application's DbContext on Wolverine's side: the same two tables as ours (Wolverine maps its envelope tables into it).</summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options)
{
    public DbSet<E2eOrder> Orders => Set<E2eOrder>();
    public DbSet<AppliedOrder> AppliedOrders => Set<AppliedOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => E2eMapping.Map(modelBuilder);
}
