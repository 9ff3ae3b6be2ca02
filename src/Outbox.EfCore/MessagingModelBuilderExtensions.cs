using Messaging.Outbox.Schema;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>Adds the outbox and inbox tables to the application's own EF Core model.</summary>
public static class MessagingModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="OutboxMessage"/> to the outbox table (default <c>messaging_outbox</c>),
    /// <see cref="InboxRecord"/> to the inbox table (default <c>messaging_inbox</c>) and <see cref="RedeliveryRecord"/>
    /// to the redeliveries table (default <c>messaging_redeliveries</c>) and <see cref="DeadLetter"/> to the dead-letters table
    /// (default <c>messaging_dead_letters</c>) and <see cref="RedriveJob"/> to the re-drive jobs table (default
    /// <c>messaging_redrive_jobs</c>): snake_case columns, UTC
    /// <see cref="DateTime"/> times, status as text, no provider-specific column types. Call it from
    /// <c>OnModelCreating</c> of the DbContext given to <c>AddEntityFrameworkOutbox</c>, so that outbox and inbox
    /// rows commit in the same transaction as the business rows. Works with <c>EnsureCreated</c> and with
    /// migrations (add a migration after upgrading the library: new columns are nullable or defaulted).
    /// The dispatcher reads table and column names from the model, so renamed tables need no other setting.
    /// </summary>
    /// <param name="modelBuilder">The model being built.</param>
    /// <param name="schema">The database schema for every table; null for the provider's default.</param>
    /// <param name="outboxTable">The outbox table name; null for <c>messaging_outbox</c>.</param>
    /// <param name="inboxTable">The inbox table name; null for <c>messaging_inbox</c>.</param>
    /// <param name="redeliveriesTable">The table of <see cref="RedeliveryRecord"/> (deliveries that reached the handlers,
    /// for poison detection); null for <c>messaging_redeliveries</c>.</param>
    /// <param name="deadLettersTable">The table of <see cref="DeadLetter"/> (dead-lettered messages, to read, re-drive or
    /// discard); null for <c>messaging_dead_letters</c>.</param>
    /// <param name="redriveJobsTable">The table of <see cref="RedriveJob"/> (who re-drove which dead letters, why, and how
    /// far it got); null for <c>messaging_redrive_jobs</c>.</param>
    /// <returns>The same <paramref name="modelBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> is null.</exception>
    /// <exception cref="ArgumentException">A table name is empty or whitespace, or two names are the same.</exception>
    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder, string? schema = null, string? outboxTable = null, string? inboxTable = null,
        string? redeliveriesTable = null, string? deadLettersTable = null, string? redriveJobsTable = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (outboxTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(outboxTable);
        if (inboxTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(inboxTable);
        if (redeliveriesTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(redeliveriesTable);
        if (deadLettersTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(deadLettersTable);
        if (redriveJobsTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(redriveJobsTable);
        var outbox = outboxTable ?? OutboxMessageMapping.DefaultTableName;
        var inbox = inboxTable ?? InboxRecordMapping.DefaultTableName;
        var redeliveries = redeliveriesTable ?? RedeliveryRecordMapping.DefaultTableName;
        var deadLetters = deadLettersTable ?? DeadLetterMapping.DefaultTableName;
        var redriveJobs = redriveJobsTable ?? RedriveJobMapping.DefaultTableName;
        if (new[] { outbox, inbox, redeliveries, deadLetters, redriveJobs }.Distinct(StringComparer.OrdinalIgnoreCase).Count() < 5)
            throw new ArgumentException(
                $"The outbox, inbox, redeliveries, dead-letters and re-drive jobs tables must differ; they are '{outbox}', '{inbox}', '{redeliveries}', '{deadLetters}', '{redriveJobs}'.", nameof(inboxTable));
        modelBuilder.ApplyConfiguration(new OutboxMessageMapping(schema, outbox));
        modelBuilder.ApplyConfiguration(new InboxRecordMapping(schema, inbox));
        modelBuilder.ApplyConfiguration(new RedeliveryRecordMapping(schema, redeliveries));
        modelBuilder.ApplyConfiguration(new DeadLetterMapping(schema, deadLetters));
        modelBuilder.ApplyConfiguration(new RedriveJobMapping(schema, redriveJobs));
        return modelBuilder;
    }
}
