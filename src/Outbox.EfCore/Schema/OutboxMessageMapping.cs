using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps <see cref="OutboxMessage"/> to the outbox table with snake_case columns and provider-neutral types
/// (no column types, no provider annotations: the same model works with EnsureCreated and migrations on SQLite
/// and PostgreSQL).</summary>
internal sealed class OutboxMessageMapping(string? schema, string tableName) : IEntityTypeConfiguration<OutboxMessage>
{
    public const string DefaultTableName = "messaging_outbox";

    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable(tableName, schema);
        builder.HasKey(m => m.Id).HasName("pk_" + tableName);
        builder.Property(m => m.Id).HasColumnName("id").HasColumnOrder(0).ValueGeneratedOnAdd();
        builder.MapEnvelopeColumns();
        builder.Property(m => m.CreatedAt).HasColumnName("created_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(m => m.Transport).HasColumnName("transport").HasMaxLength(100);
        builder.Property(m => m.NotBefore).HasColumnName("not_before").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(m => m.Attempts).HasColumnName("attempts");
        builder.Property(m => m.LastError).HasColumnName("last_error");
        builder.Property(m => m.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16).IsRequired();
        builder.Property(m => m.SentAt).HasColumnName("sent_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(m => m.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(200);
        builder.Property(m => m.LeaseUntil).HasColumnName("lease_until").HasConversion(UtcDateTimeConverter.Instance);
        // The claim reads Pending rows in id order; the per-key check reads Pending rows of some keys below an id.
        builder.HasIndex(m => new { m.Status, m.Id }).HasDatabaseName($"ix_{tableName}_status_id");
        builder.HasIndex(m => new { m.Status, m.PartitionKey, m.Id }).HasDatabaseName($"ix_{tableName}_status_partition_key_id");
    }
}
