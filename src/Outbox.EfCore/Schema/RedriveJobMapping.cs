using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Messaging.Outbox.Schema;

/// <summary>Maps <see cref="RedriveJob"/> to the re-drive jobs table with snake_case columns and provider-neutral types.</summary>
internal sealed class RedriveJobMapping(string? schema, string tableName) : IEntityTypeConfiguration<RedriveJob>
{
    public const string DefaultTableName = "messaging_redrive_jobs";

    public void Configure(EntityTypeBuilder<RedriveJob> builder)
    {
        builder.ToTable(tableName, schema);
        builder.HasKey(j => j.Id).HasName("pk_" + tableName);
        builder.Property(j => j.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(j => j.RequestedBy).HasColumnName("requested_by").HasMaxLength(200).IsRequired();
        builder.Property(j => j.Reason).HasColumnName("reason").IsRequired();
        builder.Property(j => j.MessageIds).HasColumnName("message_ids");
        builder.Property(j => j.Fingerprint).HasColumnName("fingerprint").HasMaxLength(32);
        builder.Property(j => j.AllParked).HasColumnName("all_parked");
        builder.Property(j => j.Endpoint).HasColumnName("endpoint").HasMaxLength(200);
        builder.Property(j => j.SelectedUpTo).HasColumnName("selected_up_to");
        builder.Property(j => j.FirstCount).HasColumnName("first_count");
        builder.Property(j => j.RatePerSecond).HasColumnName("rate_per_second");
        builder.Property(j => j.Total).HasColumnName("total");
        builder.Property(j => j.Done).HasColumnName("done");
        builder.Property(j => j.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16).IsRequired();
        builder.Property(j => j.Runner).HasColumnName("runner").HasMaxLength(200);
        builder.Property(j => j.CreatedAt).HasColumnName("created_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(j => j.UpdatedAt).HasColumnName("updated_at").HasConversion(UtcDateTimeConverter.Instance);
        builder.Property(j => j.FinishedAt).HasColumnName("finished_at").HasConversion(UtcDateTimeConverter.Instance);
    }
}
