using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>Adds the outbox and inbox tables to the application's own EF Core model.</summary>
public static class MessagingModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="OutboxMessage"/> to <c>messaging_outbox</c> and <see cref="InboxRecord"/> to
    /// <c>messaging_inbox</c> (snake_case columns, UTC <see cref="DateTime"/> times, status as text). Call it from
    /// <c>OnModelCreating</c> of the DbContext given to <c>AddEntityFrameworkOutbox</c>, so that outbox and inbox
    /// rows commit in the same transaction as the business rows. Works with <c>EnsureCreated</c> and migrations.
    /// </summary>
    /// <param name="modelBuilder">The model being built.</param>
    /// <param name="schema">The database schema for both tables; null for the provider's default.</param>
    /// <returns>The same <paramref name="modelBuilder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> is null.</exception>
    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new OutboxMessageMapping(schema));
        modelBuilder.ApplyConfiguration(new InboxRecordMapping(schema));
        return modelBuilder;
    }
}
