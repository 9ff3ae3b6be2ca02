using Messaging.Handling;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Compliance;

/// <summary>A SQLite database with the inbox and one business table, for the inbox compliance test.</summary>
public sealed class InboxDbContext(DbContextOptions<InboxDbContext> options) : DbContext(options)
{
    public DbSet<HandledRow> Handled => Set<HandledRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HandledRow>().ToTable("handled");
        modelBuilder.AddMessagingTables();
    }
}

public sealed class HandledRow
{
    public long Id { get; set; }
    public string MessageId { get; set; } = "";
}

/// <summary>Writes one business row per execution; with the inbox, one per message id.</summary>
public sealed class InboxRecordingHandler(InboxDbContext db) : IMessageHandler<ComplianceMessage>
{
    public async Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Handled.Add(new HandledRow { MessageId = context.Envelope.MessageId });
        await db.SaveChangesAsync(cancellationToken);
    }
}
