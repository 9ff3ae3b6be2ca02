using Messaging.Handling;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace PackageSmoke;

public sealed record GreetingSent(string To, string Text);

public sealed class Greeting
{
    public long Id { get; set; }
    public string MessageId { get; set; } = "";
    public string Text { get; set; } = "";
}

public sealed class SmokeDbContext(DbContextOptions<SmokeDbContext> options) : DbContext(options)
{
    public DbSet<Greeting> Greetings => Set<Greeting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Greeting>().ToTable("greetings");
        modelBuilder.AddMessagingTables();
    }
}

/// <summary>Writes one business row per execution; the inbox makes that one per message id.</summary>
public sealed class RecordGreetingHandler(SmokeDbContext db) : IMessageHandler<GreetingSent>
{
    public async Task HandleAsync(GreetingSent message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Greetings.Add(new Greeting { MessageId = context.Envelope.MessageId, Text = message.Text });
        await db.SaveChangesAsync(cancellationToken);
    }
}
