using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>Adds the outbox and inbox tables to the application's own EF Core model.</summary>
public static class MessagingModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="OutboxMessage"/> to the outbox table (default <c>messaging_outbox</c>) and
    /// <see cref="InboxRecord"/> to the inbox table (default <c>messaging_inbox</c>): snake_case columns, UTC
    /// <see cref="DateTime"/> times, status as text, no provider-specific column types. Call it from
    /// <c>OnModelCreating</c> of the DbContext given to <c>AddEntityFrameworkOutbox</c>, so that outbox and inbox
    /// rows commit in the same transaction as the business rows. Works with <c>EnsureCreated</c> and with
    /// migrations (add a migration after upgrading the library: new columns are nullable or defaulted).
    /// The dispatcher reads table and column names from the model, so renamed tables need no other setting.
    /// </summary>
    /// <param name="modelBuilder">The model being built.</param>
    /// <param name="schema">The database schema for both tables; null for the provider's default.</param>
    /// <param name="outboxTable">The outbox table name; null for <c>messaging_outbox</c>.</param>
    /// <param name="inboxTable">The inbox table name; null for <c>messaging_inbox</c>.</param>
    /// <returns>The same <paramref name="modelBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> is null.</exception>
    /// <exception cref="ArgumentException">A table name is empty or whitespace, or both names are the same.</exception>
    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder, string? schema = null, string? outboxTable = null, string? inboxTable = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (outboxTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(outboxTable);
        if (inboxTable is not null) ArgumentException.ThrowIfNullOrWhiteSpace(inboxTable);
        var outbox = outboxTable ?? OutboxMessageMapping.DefaultTableName;
        var inbox = inboxTable ?? InboxRecordMapping.DefaultTableName;
        if (string.Equals(outbox, inbox, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The outbox and inbox tables must differ; both are '{outbox}'.", nameof(inboxTable));
        modelBuilder.ApplyConfiguration(new OutboxMessageMapping(schema, outbox));
        modelBuilder.ApplyConfiguration(new InboxRecordMapping(schema, inbox));
        return modelBuilder;
    }
}
