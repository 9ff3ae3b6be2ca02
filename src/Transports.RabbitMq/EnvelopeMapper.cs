using System.Globalization;
using System.Text;
using Messaging.RabbitMq.Consuming;
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
            h[name] = EnvelopeHeaders.ToBytes(name, value));
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
        conflicts = [];
        var reader = new EnvelopeHeaderReader();
        if (properties.Headers is { } raw)
            foreach (var (name, value) in raw)
                Read(ref reader, name, value);
        if (reader.Problem is { } problem)
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
        var messageId = Pick(HeaderNames.MessageId, reader.MessageId, "message_id", properties.MessageId);
        var messageType = Pick(HeaderNames.MessageType, reader.MessageType, "type", properties.Type);
        var correlationId = Pick(HeaderNames.CorrelationId, reader.CorrelationId, "correlation_id", properties.CorrelationId);
        var contentType = Pick(HeaderNames.ContentType, reader.ContentType, "content_type", properties.ContentType);
        conflicts = (IReadOnlyList<HeaderConflict>?)found ?? [];
        if (messageId is null)
        {
            error = $"no '{HeaderNames.MessageId}' header and no message_id property";
            return null;
        }
        error = null;
        // What only a property carried goes into the reader as its header would have: one way to build the envelope.
        if (reader.MessageId is null) reader.Read(HeaderNames.MessageId, messageId);
        if (reader.MessageType is null) reader.Read(HeaderNames.MessageType, messageType);
        if (reader.CorrelationId is null) reader.Read(HeaderNames.CorrelationId, correlationId);
        if (reader.ContentType is null) reader.Read(HeaderNames.ContentType, contentType);
        return reader.ToEnvelope(exchange, properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : DateTimeOffset.UnixEpoch, body);
    }

    /// <summary>One AMQP header into the reader, by the wire contract's rules for AMQP values (docs/wire-format.md): the
    /// envelope's fields and <c>traceparent</c> are text (a string, UTF-8 bytes, or an integer as its decimal text), the
    /// timestamp also an AMQP timestamp; an application header may be any scalar, read as text, and a table or array is
    /// skipped; the broker's and the client's own headers (<c>x-death</c>, <c>x-delivery-count</c>, ...) and
    /// <c>retry-count</c> (read by <see cref="Delivery"/>) are not the envelope's.</summary>
    private static void Read(ref EnvelopeHeaderReader reader, string name, object? value)
    {
        if (name == HeaderNames.RetryCount) return;
        if (name == HeaderNames.Timestamp)
        {
            if (AmqpHeaderValue.TryReadTime(value, out var time, out var timeProblem)) reader.ReadTimestamp(time);
            else reader.Fail($"header '{name}' {timeProblem}");
            return;
        }
        var field = !EnvelopeHeaders.IsApplication(name);
        if (!field && IsInternalHeader(name)) return;
        var read = field || name == HeaderNames.TraceParent
            ? AmqpHeaderValue.TryReadText(value, out var text, out var why, RepeatedHeaderValues.Repeats(name))
            : AmqpHeaderValue.TryReadApplication(value, out text, out why);
        if (!read) reader.Fail($"header '{name}' {why}");
        else if (field || text is not null) reader.Read(name, text);
    }

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
