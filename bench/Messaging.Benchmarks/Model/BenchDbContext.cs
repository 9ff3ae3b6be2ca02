using Messaging.Benchmarks.Harness;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Benchmarks.Model;

/// <summary>The application's DbContext of the outbox and inbox scenarios: one business table plus our tables.</summary>
public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    public DbSet<BenchOrder> Orders => Set<BenchOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BenchOrder>(e =>
        {
            e.ToTable("bench_orders");
            e.Property(o => o.Id).HasColumnName("id");
            e.Property(o => o.CustomerId).HasColumnName("customer_id");
            e.Property(o => o.Amount).HasColumnName("amount");
            e.Property(o => o.PlacedAt).HasColumnName("placed_at");
        });
        modelBuilder.AddMessagingTables();
    }
}

public sealed class BenchOrder
{
    public Guid Id { get; set; }
    public string CustomerId { get; set; } = "";
    public decimal Amount { get; set; }
    public DateTime PlacedAt { get; set; }

    public static BenchOrder New(long seq) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = Payloads.Key(seq),
        Amount = 10m + seq % 100,
        PlacedAt = DateTime.UtcNow,
    };
}

/// <summary>SQLite (a WAL file under /tmp) or PostgreSQL, one database per contender.</summary>
public static class BenchDatabase
{
    public static void Configure(DbContextOptionsBuilder options, string kind, string name)
    {
        if (kind == "sqlite") options.UseSqlite($"Data Source={Path.Combine(BenchEnvironment.SqliteFolder, name + ".db")};Default Timeout=30");
        else options.UseNpgsql(BenchEnvironment.Postgres(name.Replace('-', '_').Replace('.', '_')));
    }

    public static async Task ResetAsync(BenchDbContext db, CancellationToken ct)
    {
        await db.Database.EnsureDeletedAsync(ct);
        await db.Database.EnsureCreatedAsync(ct);
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    public static async Task TruncateAsync(BenchDbContext db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM bench_orders; DELETE FROM messaging_outbox; DELETE FROM messaging_inbox;", ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("TRUNCATE bench_orders, messaging_outbox, messaging_inbox;", ct);
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE messaging_outbox;", ct);
        }
    }
}
