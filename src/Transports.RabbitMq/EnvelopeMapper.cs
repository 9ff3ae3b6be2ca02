using System.Globalization;
using System.Text;
using System.Text.Unicode;
using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>
/// Envelope ↔ AMQP message. Every envelope field travels in a <see cref="HeaderNames"/> header (UTF-8
/// bytes) and, where AMQP has one, in the basic property too; reading prefers the header.
/// </summary>
internal static class EnvelopeMapper
{
    private const int MaxShortString = 255;

    private static readonly HashSet<string> EnvelopeHeaders = new(StringComparer.Ordinal)
    {
        HeaderNames.MessageId, HeaderNames.MessageType, HeaderNames.PartitionKey, HeaderNames.CorrelationId,
        HeaderNames.CausationId, HeaderNames.ContentType, HeaderNames.Timestamp, HeaderNames.Destination,
        HeaderNames.RetryCount, // transport bookkeeping, read into IncomingMessage.DelayedRetries
    };

    /// <summary>Persistent properties with the envelope's fields and application headers.</summary>
    public static BasicProperties ToProperties(Envelope envelope)
    {
        var headers = new Dictionary<string, object?>(envelope.Headers.Count + 8, StringComparer.Ordinal);
        foreach (var (name, value) in envelope.Headers) headers[name] = Encoding.UTF8.GetBytes(value);
        Put(headers, HeaderNames.MessageId, envelope.MessageId);
        Put(headers, HeaderNames.MessageType, envelope.MessageType);
        Put(headers, HeaderNames.PartitionKey, envelope.PartitionKey);
        Put(headers, HeaderNames.CorrelationId, envelope.CorrelationId);
        Put(headers, HeaderNames.CausationId, envelope.CausationId);
        Put(headers, HeaderNames.ContentType, envelope.ContentType);
        Put(headers, HeaderNames.Timestamp, envelope.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Put(headers, HeaderNames.Destination, envelope.Destination);
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(envelope.Timestamp.ToUnixTimeSeconds()),
            Headers = headers,
        };
        // AMQP short strings hold 255 bytes; a longer value travels in its header only.
        if (FitsShortString(envelope.MessageId)) properties.MessageId = envelope.MessageId;
        if (FitsShortString(envelope.MessageType)) properties.Type = envelope.MessageType;
        if (FitsShortString(envelope.CorrelationId)) properties.CorrelationId = envelope.CorrelationId;
        if (FitsShortString(envelope.ContentType)) properties.ContentType = envelope.ContentType;
        return properties;
    }

    /// <summary>Reads an envelope from a delivery; null with a reason when it has no message id.</summary>
    public static Envelope? TryRead(IReadOnlyBasicProperties properties, string exchange, ReadOnlyMemory<byte> body, out string? error)
    {
        var raw = properties.Headers;
        string? Header(string name) => raw is not null && raw.TryGetValue(name, out var value) ? AsString(value) : null;

        // A header that is not UTF-8 would be decoded with replacement characters: the envelope would silently
        // differ from what was sent, so the delivery is dead-lettered as it is instead.
        if (FirstNonUtf8Header(raw) is { } bad)
        {
            error = $"header '{bad}' is not valid UTF-8";
            return null;
        }

        var messageId = NullIfEmpty(Header(HeaderNames.MessageId)) ?? NullIfEmpty(properties.MessageId);
        if (messageId is null)
        {
            error = $"no '{HeaderNames.MessageId}' header and no message-id property";
            return null;
        }
        error = null;
        var application = new Dictionary<string, string>(StringComparer.Ordinal);
        if (raw is not null)
        {
            foreach (var (name, value) in raw)
            {
                if (EnvelopeHeaders.Contains(name) || IsBrokerHeader(name)) continue;
                if (AsString(value) is { } text) application[name] = text;
            }
        }
        return new Envelope
        {
            MessageId = messageId,
            MessageType = Header(HeaderNames.MessageType) ?? properties.Type ?? "",
            Destination = Header(HeaderNames.Destination) ?? exchange,
            PartitionKey = Header(HeaderNames.PartitionKey),
            CorrelationId = Header(HeaderNames.CorrelationId) ?? properties.CorrelationId,
            CausationId = Header(HeaderNames.CausationId),
            ContentType = Header(HeaderNames.ContentType) ?? properties.ContentType ?? "application/octet-stream",
            Timestamp = ReadTimestamp(Header(HeaderNames.Timestamp), properties),
            Headers = application,
            Body = body,
        };
    }

    private static string? FirstNonUtf8Header(IDictionary<string, object?>? headers)
    {
        if (headers is null) return null;
        foreach (var (name, value) in headers)
            if (value is byte[] bytes && !Utf8.IsValid(bytes)) return name;
        return null;
    }

    /// <summary>A header value as text: UTF-8 bytes decoded, numbers in invariant culture.</summary>
    public static string? AsString(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        AmqpTimestamp timestamp => timestamp.UnixTime.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static DateTimeOffset ReadTimestamp(string? header, IReadOnlyBasicProperties properties)
    {
        if (long.TryParse(header, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : DateTimeOffset.UnixEpoch;
    }

    // The client's publish sequence number and the broker's x-death / x-delivery-count bookkeeping are not application headers.
    private static bool IsBrokerHeader(string name) =>
        name.StartsWith("x-dotnet-", StringComparison.Ordinal) || name.StartsWith("x-death", StringComparison.Ordinal)
        || name.Equals(Delivery.DeliveryCountHeader, StringComparison.Ordinal)
        || name.StartsWith("x-first-death-", StringComparison.Ordinal) || name.StartsWith("x-last-death-", StringComparison.Ordinal);

    private static void Put(Dictionary<string, object?> headers, string name, string? value)
    {
        if (value is not null) headers[name] = Encoding.UTF8.GetBytes(value);
    }

    private static bool FitsShortString(string? value) => value is not null && Encoding.UTF8.GetByteCount(value) <= MaxShortString;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
