using Messaging.Transport;
using Messaging.Configuration;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Routing;
using Microsoft.Extensions.Options;

namespace Messaging.Publishing;

internal sealed class MessagePublisher(
    MessagingTransports transports,
    MessageTypeMap routes,
    IEnvelopeFactory envelopes,
    MessagingStatistics statistics,
    IOptions<MessagingOptions> options) : IMessagePublisher
{
    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    public async Task<Envelope> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull
    {
        var envelope = envelopes.Create(message, typeof(TMessage), options);
        await PublishEnvelopeAsync(envelope, cancellationToken).ConfigureAwait(false);
        return envelope;
    }

    public async Task PublishEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Body.Length > _maxBodyBytes)
            throw new PublishException(PublishFailure.Invalid, envelope.Destination, envelope.MessageId,
                $"body of {envelope.Body.Length} bytes exceeds Messaging:MaxBodyBytes = {_maxBodyBytes}");
        // The route of the message type names the transport; unknown types go through the primary.
        var transport = transports.Get(routes.TryGet(envelope.MessageType, out var route) ? route.Transport : null);
        using var activity = MessagingTelemetry.StartPublish(transport.Name, envelope);
        await transport.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        statistics.RecordPublished(transport.Name, envelope.Destination, 1);
    }
}
