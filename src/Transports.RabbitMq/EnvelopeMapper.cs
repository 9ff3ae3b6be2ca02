using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>
/// Envelope ↔ AMQP message, as docs/wire-format.md specifies. Writing: every envelope field in a
/// <see cref="HeaderNames"/> header (UTF-8 long string) and, where AMQP has one and the value fits a short
/// string, in the basic property too. Reading: the header wins over the property; a property alone (what other
/// languages' clients usually send) is enough; a header value that cannot be read makes the delivery unreadable.
/// </summary>
internal static class EnvelopeMapper
{
    private const int MaxShortString = 255;

    /// <summary>Persistent properties with the envelope's fields and application headers.</summary>
    public static BasicProperties ToProperties(Envelope envelope)
    {
        var headers = new Dictionary<string, object?>(envelope.Headers.Count + EnvelopeHeaders.CountOf(envelope), StringComparer.Ordinal);
        foreach (var (name, value) in envelope.Headers)
            if (EnvelopeHeaders.IsApplication(name)) headers[name] = Encoding.UTF8.GetBytes(value);
        EnvelopeHeaders.Write(envelope, headers, static (h, name, value) =>
            h[name] = RepeatedHeaderValues.Repeats(name) ? RepeatedHeaderValues.Encode(value) : Encoding.UTF8.GetBytes(value));
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

    /// <summary>Reads the envelope of a delivery; null, with <paramref name="error"/> naming the header or saying
    /// what is missing, when it has no message id or a header value that cannot be read.</summary>
    /// <param name="properties">The delivery's basic properties and headers.</param>
    /// <param name="exchange">The exchange it was published to (the destination when no header names one).</param>
    /// <param name="body">The body, copied out of the client's buffer.</param>
    /// <param name="error">Why there is no envelope; null when there is one.</param>
    /// <param name="conflicts">Fields whose header and property differ (the header was used); empty when none.</param>
    public static Envelope? TryRead(IReadOnlyBasicProperties properties, string exchange, ReadOnlyMemory<byte> body,
        out string? error, out IReadOnlyList<HeaderConflict> conflicts)
    {
        var raw = properties.Headers;
        conflicts = [];
        // Bytes that are not UTF-8 would be decoded with replacement characters: the envelope would silently
        // differ from what was sent, so the delivery is dead-lettered as it is instead.
        if (raw?.FirstOrDefault(h => AmqpHeaderValue.IsNotUtf8(h.Value)).Key is { } bad)
        {
            error = $"header '{bad}' is not valid UTF-8";
            return null;
        }
        string? problem = null;
        string? Text(string name)
        {
            if (raw is null || !raw.TryGetValue(name, out var value)) return null;
            if (AmqpHeaderValue.TryReadText(value, out var text, out var why, RepeatedHeaderValues.Repeats(name))) return NullIfEmpty(text);
            problem ??= $"header '{name}' {why}";
            return null;
        }
        var headerId = Text(HeaderNames.MessageId);
        var headerType = Text(HeaderNames.MessageType);
        var headerCorrelation = Text(HeaderNames.CorrelationId);
        var headerContentType = Text(HeaderNames.ContentType);
        var destination = Text(HeaderNames.Destination);
        var partitionKey = Text(HeaderNames.PartitionKey);
        var causationId = Text(HeaderNames.CausationId);
        var application = ReadApplicationHeaders(raw, ref problem);
        DateTimeOffset? timestamp = null;
        if (raw is not null && raw.TryGetValue(HeaderNames.Timestamp, out var time)
            && !AmqpHeaderValue.TryReadTime(time, out timestamp, out var timeProblem))
            problem ??= $"header '{HeaderNames.Timestamp}' {timeProblem}";
        if (problem is not null)
        {
            error = problem;
            return null;
        }

        List<HeaderConflict>? found = null;
        string? Pick(string header, string? fromHeader, string property, string? fromProperty)
        {
            fromProperty = NullIfEmpty(fromProperty);
            if (fromHeader is not null && fromProperty is not null && !string.Equals(fromHeader, fromProperty, StringComparison.Ordinal))
                (found ??= []).Add(new HeaderConflict(header, fromHeader, property, fromProperty));
            return fromHeader ?? fromProperty;
        }
        var messageId = Pick(HeaderNames.MessageId, headerId, "message_id", properties.MessageId);
        var messageType = Pick(HeaderNames.MessageType, headerType, "type", properties.Type);
        var correlationId = Pick(HeaderNames.CorrelationId, headerCorrelation, "correlation_id", properties.CorrelationId);
        var contentType = Pick(HeaderNames.ContentType, headerContentType, "content_type", properties.ContentType);
        conflicts = (IReadOnlyList<HeaderConflict>?)found ?? [];
        if (messageId is null)
        {
            error = $"no '{HeaderNames.MessageId}' header and no message_id property";
            return null;
        }
        error = null;
        return new Envelope
        {
            MessageId = messageId,
            MessageType = messageType ?? "",
            Destination = destination ?? exchange,
            PartitionKey = partitionKey,
            CorrelationId = correlationId,
            CausationId = causationId,
            ContentType = contentType ?? "application/octet-stream",
            Timestamp = timestamp ?? (properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : DateTimeOffset.UnixEpoch),
            Headers = application,
            Body = body,
        };
    }

    /// <summary>The application headers as text (the envelope's own, the broker's and the client's left out);
    /// <c>traceparent</c> must be text like an envelope field.</summary>
    private static IReadOnlyDictionary<string, string> ReadApplicationHeaders(IDictionary<string, object?>? raw, ref string? problem)
    {
        Dictionary<string, string>? application = null;
        if (raw is null) return NoHeaders;
        foreach (var (name, value) in raw)
        {
            if (!EnvelopeHeaders.IsApplication(name) || IsInternalHeader(name)) continue;
            var read = name == HeaderNames.TraceParent
                ? AmqpHeaderValue.TryReadText(value, out var text, out var why)
                : AmqpHeaderValue.TryReadApplication(value, out text, out why);
            if (!read) problem ??= $"header '{name}' {why}";
            else if (text is not null) (application ??= new(StringComparer.Ordinal))[name] = text;
        }
        return application ?? NoHeaders;
    }

    /// <summary>The application headers of a delivery that has none; shared, never written to.</summary>
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Headers that are not the application's: the broker's x-death / x-delivery-count bookkeeping and
    /// <c>x-dotnet-*</c>, RabbitMQ.Client's publish sequence number (older versions of this library sent it).</summary>
    public static bool IsInternalHeader(string name) =>
        name.StartsWith(ClientHeaderPrefix, StringComparison.Ordinal) || name.StartsWith("x-death", StringComparison.Ordinal)
        || name.Equals(Delivery.DeliveryCountHeader, StringComparison.Ordinal)
        || name.StartsWith("x-first-death-", StringComparison.Ordinal) || name.StartsWith("x-last-death-", StringComparison.Ordinal);

    /// <summary>Prefix of RabbitMQ.Client's own headers (<c>x-dotnet-pub-seq-no</c>); never published by this library.</summary>
    public const string ClientHeaderPrefix = "x-dotnet-";


    private static bool FitsShortString(string? value) => value is not null && Encoding.UTF8.GetByteCount(value) <= MaxShortString;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
