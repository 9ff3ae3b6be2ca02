using Messaging.Publishing;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>Adds outbox rows to the scoped DbContext; the commit interceptor wakes the dispatcher after they commit. An
/// envelope the outgoing step would refuse (larger than <c>Messaging:MaxBodyBytes</c>) is refused here, before anything
/// is written, instead of failing later in the dispatcher.</summary>
internal sealed class EntityFrameworkOutbox<TContext>(
    TContext db,
    IEnvelopeFactory envelopes,
    MessageTypeMap routes,
    OutgoingPipeline outgoing,
    IEnumerable<TransportRegistration> transports) : IOutbox
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
        if (string.IsNullOrEmpty(transport))
            transport = routes.TryGet(envelope.MessageType, out var route) ? route.Transport : null;
        else if (!transports.Any(t => string.Equals(t.Name, transport, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException(
                $"Transport '{transport}' is not registered; registered: {string.Join(", ", transports.Select(t => t.Name))}.");
        Add(envelope, transport, null);
    }

    private void Add(Envelope envelope, string? transport, DateTime? notBefore)
    {
        outgoing.Check(envelope);
        db.Set<OutboxMessage>().Add(OutboxRows.ToRow(envelope, transport, notBefore));
    }
}
