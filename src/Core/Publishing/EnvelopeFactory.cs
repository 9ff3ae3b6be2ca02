using System.Diagnostics;
using Messaging.Routing;
using Messaging.Serialization;

namespace Messaging.Publishing;

internal sealed class EnvelopeFactory(MessageTypeMap map, IMessageSerializer serializer) : IEnvelopeFactory
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
