using Messaging.Handling;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>The handler's deployed version: whether the bug that fails poison orders is fixed.</summary>
public sealed class HandlerVersion
{
    private volatile bool _fixed;

    public bool Fixed { get => _fixed; set => _fixed = value; }
}

/// <summary>Applies an order in the inbox transaction; a poison order throws until <see cref="HandlerVersion.Fixed"/>.</summary>
public sealed class ApplyHandler(OpsContext db, HandlerVersion version) : IMessageHandler<Ordered>
{
    public async Task HandleAsync(Ordered message, MessageContext context, CancellationToken cancellationToken)
    {
        if (message.Poison && !version.Fixed) throw new InvalidOperationException($"order {message.OrderId} has no customer");
        db.Applied.Add(new Applied { MessageId = context.Envelope.MessageId, OrderId = message.OrderId });
        await db.SaveChangesAsync(cancellationToken);
    }
}
