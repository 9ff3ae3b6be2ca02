using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps <see cref="RedeliveryRecord"/> to the redeliveries table with snake_case columns.</summary>
internal sealed class RedeliveryRecordMapping(string? schema, string tableName) : IEntityTypeConfiguration<RedeliveryRecord>
{
    public const string DefaultTableName = "messaging_redeliveries";

    public void Configure(EntityTypeBuilder<RedeliveryRecord> builder)
    {
        builder.ToTable(tableName, schema);
        builder.HasKey(r => new { r.Endpoint, r.MessageId }).HasName("pk_" + tableName);
        builder.Property(r => r.Endpoint).HasColumnName("endpoint").HasMaxLength(200);
        builder.Property(r => r.MessageId).HasColumnName("message_id").HasMaxLength(200);
        builder.Property(r => r.Deliveries).HasColumnName("deliveries");
        builder.Property(r => r.FirstRedeliveredAt).HasColumnName("first_redelivered_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(r => r.LastDeliveredAt).HasColumnName("last_delivered_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.HasIndex(r => r.LastDeliveredAt).HasDatabaseName($"ix_{tableName}_last_delivered_at"); // retention
    }
}
