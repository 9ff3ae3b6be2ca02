using Messaging.Diagnostics;
using Messaging.Transport;

namespace Messaging.Publishing;

internal sealed class MessagePublisher(IMessageTransport transport, IEnvelopeFactory envelopes, MessagingStatistics statistics) : IMessagePublisher
{
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
        using var activity = MessagingTelemetry.StartPublish(transport.Name, envelope);
        await transport.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        statistics.RecordPublished(transport.Name, envelope.Destination, 1);
    }
}
