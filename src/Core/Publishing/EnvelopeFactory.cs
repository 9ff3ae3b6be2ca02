using System.Diagnostics;
using Messaging.Routing;
using Messaging.Serialization;

namespace Messaging.Publishing;

/// <summary>Builds envelopes: the route's name and destination, a new message id, the clock's time as the timestamp.</summary>
internal sealed class EnvelopeFactory(MessageTypeMap map, IMessageSerializer serializer, TimeProvider time) : IEnvelopeFactory
{
    public Envelope Create(object message, Type messageType, PublishOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var route = map.Get(messageType);
        var headers = options?.Headers is { } extra ? new Dictionary<string, string>(extra) : [];
        if (Activity.Current is { } activity) headers[HeaderNames.TraceParent] = activity.Id!;
        return new Envelope
        {
            MessageId = options?.MessageId ?? Envelope.NewMessageId(),
            Timestamp = time.GetUtcNow(),
            MessageType = route.Name,
            Destination = route.Destination,
            PartitionKey = options?.PartitionKey ?? route.PartitionKey?.Invoke(message),
            CorrelationId = options?.CorrelationId,
            CausationId = options?.CausationId,
            ContentType = serializer.ContentType,
            Headers = headers,
            Body = serializer.Serialize(message, messageType),
        };
    }
}
