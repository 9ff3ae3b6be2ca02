using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Messaging.RabbitMq.Consuming;

/// <summary>
/// One delivery copied out of the client's buffers (the body memory is only valid inside the callback),
/// with its envelope, or the reason it has none.
/// </summary>
/// <param name="DeliveryTag">The channel's delivery tag: what the ack or nack of this delivery names; valid only on the
/// channel that received it.</param>
/// <param name="Redelivered">The broker's redelivered flag: this message was delivered before and not acked.</param>
/// <param name="Exchange">The exchange the message was published to (the destination).</param>
/// <param name="Properties">A copy of the AMQP properties, headers included, owned by this delivery.</param>
/// <param name="Body">A copy of the body bytes, owned by this delivery (valid after the callback returned).</param>
/// <param name="Envelope">The envelope read from the properties and body; null when it could not be read.</param>
/// <param name="Error">Why the envelope could not be read; null when <paramref name="Envelope"/> is set.</param>
/// <param name="BrokerDeliveryCount">Quorum <c>x-delivery-count</c>: earlier deliveries without an ack; null when absent.</param>
/// <param name="RetryCount">The <c>retry-count</c> header: delayed retries so far; 0 when absent.</param>
/// <param name="Conflicts">Envelope fields whose header and AMQP property differ (the header was used), to be logged.</param>
internal sealed record Delivery(ulong DeliveryTag, bool Redelivered, string Exchange, BasicProperties Properties,
    ReadOnlyMemory<byte> Body, Envelope? Envelope, string? Error, long? BrokerDeliveryCount, int RetryCount,
    IReadOnlyList<HeaderConflict> Conflicts)
{
    /// <summary>The broker's own header with the count of earlier deliveries (quorum queues).</summary>
    public const string DeliveryCountHeader = "x-delivery-count";

    public static Delivery From(BasicDeliverEventArgs args)
    {
        var body = args.Body.ToArray();
        var properties = new BasicProperties(args.BasicProperties);
        // The client reads each delivery's headers into a dictionary of its own; any other kind is copied so the delivery owns it.
        if (properties.Headers is { } headers && !IsOwnedTable(headers)) properties.Headers = new Dictionary<string, object?>(headers, StringComparer.Ordinal);
        var envelope = EnvelopeMapper.TryRead(properties, args.Exchange, body, out var error, out var conflicts);
        // A count that cannot be read is a header that cannot be read: the delivery is dead-lettered, never miscounted.
        var brokerCount = ReadCount(properties, DeliveryCountHeader, ref error);
        var retryCount = ReadCount(properties, HeaderNames.RetryCount, ref error);
        if (error is not null) envelope = null;
        return new Delivery(args.DeliveryTag, args.Redelivered, args.Exchange, properties, body, envelope, error,
            brokerCount, (int)Math.Min(retryCount ?? 0, int.MaxValue), conflicts);
    }

    /// <summary>Delivery count for Core's poison detection: <c>x-delivery-count</c> + 1; on a quorum queue an absent
    /// header means a first delivery (1); on a classic queue the broker does not count (0, unknown).</summary>
    public int DeliveryCount(bool quorum) =>
        BrokerDeliveryCount is { } earlier ? (int)Math.Min(earlier + 1, int.MaxValue) : quorum ? 1 : 0;

    /// <summary>Headers for a copy of this message sent elsewhere (retry or dead-letter queue): the original headers
    /// without the broker's per-delivery count, which must not travel with the copy, and without the client's
    /// <c>x-dotnet-*</c> headers, which never go on the wire from here.</summary>
    public Dictionary<string, object?> CopyHeaders()
    {
        var headers = Properties.Headers is { } raw ? new Dictionary<string, object?>(raw, StringComparer.Ordinal) : [];
        headers.Remove(DeliveryCountHeader);
        foreach (var name in headers.Keys.Where(n => n.StartsWith(EnvelopeMapper.ClientHeaderPrefix, StringComparison.Ordinal)).ToList())
            headers.Remove(name);
        return headers;
    }

    /// <summary>RabbitMQ.Client 7 builds a new <see cref="Dictionary{TKey,TValue}"/> with the default (ordinal) comparer
    /// for every delivery's header table and keeps no reference to it, so the delivery can keep it as it is.</summary>
    private static bool IsOwnedTable(IDictionary<string, object?> headers) =>
        headers is Dictionary<string, object?> table && ReferenceEquals(table.Comparer, EqualityComparer<string>.Default);

    private static long? ReadCount(IReadOnlyBasicProperties properties, string name, ref string? error)
    {
        if (properties.Headers is not { } headers || !headers.TryGetValue(name, out var value)) return null;
        if (AmqpHeaderValue.TryReadCount(value, out var count, out var problem)) return count;
        error ??= $"header '{name}' {problem}";
        return null;
    }
}
