using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Messaging.RabbitMq;

/// <summary>
/// One delivery copied out of the client's buffers (the body memory is only valid inside the callback),
/// with its envelope, or the reason it has none.
/// </summary>
internal sealed record Delivery(ulong DeliveryTag, bool Redelivered, string Exchange, BasicProperties Properties,
    ReadOnlyMemory<byte> Body, Envelope? Envelope, string? Error)
{
    public static Delivery From(BasicDeliverEventArgs args)
    {
        var body = args.Body.ToArray();
        var properties = new BasicProperties(args.BasicProperties);
        if (properties.Headers is { } headers) properties.Headers = new Dictionary<string, object?>(headers, StringComparer.Ordinal);
        var envelope = EnvelopeMapper.TryRead(properties, args.Exchange, body, out var error);
        return new Delivery(args.DeliveryTag, args.Redelivered, args.Exchange, properties, body, envelope, error);
    }
}
