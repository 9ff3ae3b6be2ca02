using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox;

/// <summary>Maps <see cref="OutboxMessage"/> to <c>messaging_outbox</c> with snake_case columns.</summary>
internal sealed class OutboxMessageMapping(string? schema) : IEntityTypeConfiguration<OutboxMessage>
{
    public const string TableName = "messaging_outbox";

    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable(TableName, schema);
        builder.HasKey(m => m.Id).HasName("pk_messaging_outbox");
        builder.Property(m => m.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(m => m.MessageId).HasColumnName("message_id").HasMaxLength(200).IsRequired();
        builder.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(500).IsRequired();
        builder.Property(m => m.Destination).HasColumnName("destination").HasMaxLength(500).IsRequired();
        builder.Property(m => m.PartitionKey).HasColumnName("partition_key").HasMaxLength(500);
        builder.Property(m => m.CorrelationId).HasColumnName("correlation_id").HasMaxLength(200);
        builder.Property(m => m.CausationId).HasColumnName("causation_id").HasMaxLength(200);
        builder.Property(m => m.Headers).HasColumnName("headers").IsRequired();
        builder.Property(m => m.Body).HasColumnName("body").IsRequired();
        builder.Property(m => m.ContentType).HasColumnName("content_type").HasMaxLength(200).IsRequired();
        builder.Property(m => m.CreatedAt).HasColumnName("created_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(m => m.Attempts).HasColumnName("attempts");
        builder.Property(m => m.LastError).HasColumnName("last_error");
        builder.Property(m => m.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16).IsRequired();
        builder.Property(m => m.SentAt).HasColumnName("sent_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.HasIndex(m => new { m.Status, m.Id }).HasDatabaseName("ix_messaging_outbox_status_id");
    }
}
