using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps <see cref="InboxRecord"/> to the inbox table with snake_case columns.</summary>
internal sealed class InboxRecordMapping(string? schema, string tableName) : IEntityTypeConfiguration<InboxRecord>
{
    public const string DefaultTableName = "messaging_inbox";

    public void Configure(EntityTypeBuilder<InboxRecord> builder)
    {
        builder.ToTable(tableName, schema);
        builder.HasKey(r => new { r.MessageId, r.HandlerName }).HasName("pk_" + tableName);
        builder.Property(r => r.MessageId).HasColumnName("message_id").HasMaxLength(200);
        builder.Property(r => r.HandlerName).HasColumnName("handler_name").HasMaxLength(500);
        builder.Property(r => r.ReceivedAt).HasColumnName("received_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(r => r.ProcessedAt).HasColumnName("processed_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.HasIndex(r => r.ProcessedAt).HasDatabaseName($"ix_{tableName}_processed_at"); // retention
    }
}
