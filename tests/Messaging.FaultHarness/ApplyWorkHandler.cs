using Messaging.Handling;

namespace Messaging.FaultHarness;

/// <summary>Writes one effect row; runs inside the inbox transaction.</summary>
public sealed class ApplyWorkHandler(HarnessDbContext db) : IMessageHandler<WorkDone>
{
    public async Task HandleAsync(WorkDone message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Effects.Add(new Effect { Seq = message.Seq, Key = message.Key, MessageId = context.Envelope.MessageId, AppliedAt = DateTime.UtcNow });
        await db.SaveChangesAsync(cancellationToken);
    }
}
