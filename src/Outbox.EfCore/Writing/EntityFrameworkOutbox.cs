using Messaging.Outbox.Dispatch;
using Messaging.Publishing;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Writing;

/// <summary>Adds outbox rows to the scoped DbContext; the commit interceptor wakes the dispatcher after they commit. Every
/// row names its transport as registered (the route's, else the primary <c>Messaging:Transport</c>), so only a host that
/// publishes through that transport ever sends it. An envelope the outgoing step would refuse (larger than
/// <c>Messaging:MaxBodyBytes</c>) is refused here, before anything is written, instead of failing later in the dispatcher.</summary>
internal sealed class EntityFrameworkOutbox<TContext>(
    TContext db,
    IEnvelopeFactory envelopes,
    MessageTypeMap routes,
    OutgoingPipeline outgoing,
    MessagingTransports transports,
    TransportCircuits circuits,
    OutboxCommitInterceptor commits) : IOutbox
    where TContext : DbContext
{
    public void Enqueue<TMessage>(TMessage message, PublishOptions? options = null) where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = envelopes.Create(message, typeof(TMessage), options);
        Add(envelope, routes.Get(typeof(TMessage)).Transport, null);
    }

    public void Schedule<TMessage>(TMessage message, DateTimeOffset notBefore, PublishOptions? options = null) where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = envelopes.Create(message, typeof(TMessage), options);
        Add(envelope, routes.Get(typeof(TMessage)).Transport, notBefore.UtcDateTime);
    }

    public void Enqueue(Envelope envelope, string? transport = null)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (string.IsNullOrEmpty(transport) && routes.TryGet(envelope.MessageType, out var route)) transport = route.Transport;
        Add(envelope, transport, null);
    }

    private void Add(Envelope envelope, string? transport, DateTime? notBefore)
    {
        outgoing.Check(envelope);
        var name = transports.Resolve(transport);
        if (!circuits.Used.Contains(name))
            throw new InvalidOperationException(
                $"Transport '{name}' is registered but this host does not use it (it uses {string.Join(", ", circuits.Used)}): its settings are not " +
                $"validated at start-up and no dispatcher of this service would send the row. Route a message type through it " +
                $"(Map<T>(destination, transport: \"{name}\")), bridge to it (AddOutboxBridge<T>(\"{name}\")) or consume from it (Messaging:ConsumeFrom).");
        var row = OutboxRows.ToRow(envelope, name, notBefore);
        db.Set<OutboxMessage>().Add(row);
        commits.Added(db, row);
    }
}
