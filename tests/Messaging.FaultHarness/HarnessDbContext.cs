using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.FaultHarness;

/// <summary>The producer's business rows (work_items), the consumer's effects, and the outbox/inbox.</summary>
public sealed class HarnessDbContext(DbContextOptions<HarnessDbContext> options) : DbContext(options)
{
    public DbSet<WorkItem> WorkItems => Set<WorkItem>();
    public DbSet<Effect> Effects => Set<Effect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkItem>(e =>
        {
            e.ToTable("work_items");
            e.HasKey(w => w.Seq);
            e.Property(w => w.Seq).HasColumnName("seq").ValueGeneratedNever();
            e.Property(w => w.MessageId).HasColumnName("message_id");
            e.Property(w => w.CreatedAt).HasColumnName("created_at");
        });
        modelBuilder.Entity<Effect>(e =>
        {
            e.ToTable("effects"); // no unique key on purpose: a double application shows as two rows
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Seq).HasColumnName("seq");
            e.Property(x => x.Key).HasColumnName("key");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.AppliedAt).HasColumnName("applied_at");
            e.HasIndex(x => x.Seq);
        });
        modelBuilder.AddMessagingTables();
    }
}

public sealed class WorkItem
{
    public int Seq { get; set; }
    public string MessageId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>One application of a work item. <see cref="Id"/> grows with every insert, so ordered by it the rows of one key
/// give the order in which that key's messages were applied (a key's messages are applied one at a time).</summary>
public sealed class Effect
{
    public long Id { get; set; }
    public int Seq { get; set; }
    public string Key { get; set; } = "";
    public string MessageId { get; set; } = "";
    public DateTime AppliedAt { get; set; }
}

/// <summary>The message: one per work item.</summary>
public sealed record WorkDone(int Seq, string Key);
