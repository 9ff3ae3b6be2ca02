using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Cli.Database;

/// <summary>The CLI's own DbContext over the application's database: only the messaging tables, mapped by the same
/// <c>AddMessagingTables</c> the application calls, so names and types agree without the application's DbContext type.</summary>
internal sealed class CliDbContext(DbContextOptions<CliDbContext> options, CliTables tables) : DbContext(options)
{
    public CliTables Tables { get; } = tables;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddMessagingTables(Tables.Schema, Tables.Outbox, Tables.Inbox, Tables.Redeliveries, Tables.DeadLetters, Tables.RedriveJobs);
}
