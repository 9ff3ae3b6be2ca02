using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps <see cref="DeadLetter"/> to the dead-letters table with snake_case columns and provider-neutral types.</summary>
internal sealed class DeadLetterMapping(string? schema, string tableName) : IEntityTypeConfiguration<DeadLetter>
{
    public const string DefaultTableName = "messaging_dead_letters";

    public void Configure(EntityTypeBuilder<DeadLetter> builder)
    {
        builder.ToTable(tableName, schema);
        builder.HasKey(d => d.Id).HasName("pk_" + tableName);
        builder.Property(d => d.Id).HasColumnName("id").HasColumnOrder(0).ValueGeneratedOnAdd();
        builder.MapEnvelopeColumns();
        builder.Property(d => d.Endpoint).HasColumnName("endpoint").HasMaxLength(200).IsRequired();
        builder.Property(d => d.HandlerName).HasColumnName("handler_name").HasMaxLength(500);
        builder.Property(d => d.Transport).HasColumnName("transport").HasMaxLength(100).IsRequired();
        builder.Property(d => d.Source).HasColumnName("source").HasMaxLength(1000).IsRequired();
        builder.Property(d => d.DeadLetterDestination).HasColumnName("dead_letter_destination").HasMaxLength(500).IsRequired();
        builder.Property(d => d.Reason).HasColumnName("reason").IsRequired();
        builder.Property(d => d.ExceptionType).HasColumnName("exception_type").HasMaxLength(500);
        builder.Property(d => d.ExceptionMessage).HasColumnName("exception_message");
        builder.Property(d => d.FailureSite).HasColumnName("failure_site").HasMaxLength(1000);
        builder.Property(d => d.Fingerprint).HasColumnName("fingerprint").HasMaxLength(32);
        builder.Property(d => d.Attempts).HasColumnName("attempts");
        builder.Property(d => d.SentAt).HasColumnName("sent_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(d => d.FirstFailedAt).HasColumnName("first_failed_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(d => d.LastFailedAt).HasColumnName("last_failed_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(d => d.Failures).HasColumnName("failures");
        builder.Property(d => d.RedriveCount).HasColumnName("redrive_count");
        builder.Property(d => d.LastRedrivenAt).HasColumnName("last_redriven_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(d => d.LastRedriveJobId).HasColumnName("last_redrive_job_id");
        builder.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16).IsRequired();
        builder.Property(d => d.KeyOrdered).HasColumnName("key_ordered");
        // A message's row is found by (endpoint, message id); operators list by status and failure group.
        builder.HasIndex(d => new { d.Endpoint, d.MessageId }).HasDatabaseName($"ix_{tableName}_endpoint_message_id");
        builder.HasIndex(d => new { d.Status, d.Fingerprint }).HasDatabaseName($"ix_{tableName}_status_fingerprint");
        // Key-ordered dead-lettering looks up the first blocking row of (endpoint, key) for every keyed message.
        builder.HasIndex(d => new { d.Endpoint, d.PartitionKey }).HasDatabaseName($"ix_{tableName}_endpoint_partition_key");
    }
}
