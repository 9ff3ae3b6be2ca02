using Messaging.Routing;
using Messaging.Transport;

namespace Messaging.Publishing;

internal sealed class MessagePublisher(
    MessagingTransports transports,
    MessageTypeMap routes,
    IEnvelopeFactory envelopes,
    OutgoingPipeline outgoing) : IMessagePublisher
{
    public async Task<Envelope> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        var envelope = envelopes.Create(message, typeof(TMessage), options);
        await PublishEnvelopeAsync(envelope, cancellationToken).ConfigureAwait(false);
        return envelope;
    }

    public Task PublishEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        // The route of the message type names the transport; unknown types go through the primary.
        var transport = transports.Get(routes.TryGet(envelope.MessageType, out var route) ? route.Transport : null);
        return outgoing.SendAsync(transport, envelope, cancellationToken);
    }
}
