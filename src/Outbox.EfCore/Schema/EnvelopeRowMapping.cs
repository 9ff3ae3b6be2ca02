using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps the columns of <see cref="EnvelopeRow"/> once for both tables that hold them.</summary>
internal static class EnvelopeRowMapping
{
    /// <summary>The envelope's columns right after the key (<c>id</c>, column 0), in one order in both tables, for a person
    /// reading them with <c>SELECT *</c>. The order applies when a table is created.</summary>
    public static void MapEnvelopeColumns<TRow>(this EntityTypeBuilder<TRow> builder) where TRow : EnvelopeRow
    {
        builder.Property(m => m.MessageId).HasColumnName("message_id").HasColumnOrder(1).HasMaxLength(200).IsRequired();
        builder.Property(m => m.MessageType).HasColumnName("message_type").HasColumnOrder(2).HasMaxLength(500).IsRequired();
        builder.Property(m => m.Destination).HasColumnName("destination").HasColumnOrder(3).HasMaxLength(500).IsRequired();
        builder.Property(m => m.PartitionKey).HasColumnName("partition_key").HasColumnOrder(4).HasMaxLength(500);
        builder.Property(m => m.CorrelationId).HasColumnName("correlation_id").HasColumnOrder(5).HasMaxLength(200);
        builder.Property(m => m.CausationId).HasColumnName("causation_id").HasColumnOrder(6).HasMaxLength(200);
        builder.Property(m => m.Headers).HasColumnName("headers").HasColumnOrder(7).IsRequired();
        builder.Property(m => m.Body).HasColumnName("body").HasColumnOrder(8).IsRequired();
        builder.Property(m => m.ContentType).HasColumnName("content_type").HasColumnOrder(9).HasMaxLength(200).IsRequired();
    }
}
