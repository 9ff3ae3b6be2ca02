using System.Text.Json;

namespace Messaging.Outbox;

/// <summary>Converts between envelopes and outbox rows: the envelope's fields in their columns, its application headers
/// (not <see cref="EnvelopeHeaders.Reserved"/>) as a JSON object.</summary>
internal static class OutboxRows
{
    public static OutboxMessage ToRow(Envelope envelope, string? transport = null, DateTime? notBefore = null) => new()
    {
        MessageId = envelope.MessageId,
        MessageType = envelope.MessageType,
        Destination = envelope.Destination,
        PartitionKey = envelope.PartitionKey,
        CorrelationId = envelope.CorrelationId,
        CausationId = envelope.CausationId,
        Headers = HeadersJson(envelope.Headers),
        Body = BodyBytes.AsArray(envelope.Body),
        ContentType = envelope.ContentType,
        CreatedAt = envelope.Timestamp.UtcDateTime,
        Transport = transport,
        NotBefore = notBefore,
        Status = OutboxStatus.Pending,
    };

    public static Envelope ToEnvelope(OutboxMessage row) => new()
    {
        MessageId = row.MessageId,
        MessageType = row.MessageType,
        Destination = row.Destination,
        PartitionKey = row.PartitionKey,
        CorrelationId = row.CorrelationId,
        CausationId = row.CausationId,
        Headers = ReadHeaders(row.Headers),
        Body = row.Body,
        ContentType = row.ContentType,
        Timestamp = new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
    };

    /// <summary>The application headers (not <see cref="EnvelopeHeaders.Reserved"/>) as the JSON object a row keeps; the
    /// outbox and dead-letter tables share the format.</summary>
    public static string HeadersJson(IReadOnlyDictionary<string, string> headers)
    {
        if (headers.Count == 0) return "{}";
        foreach (var name in headers.Keys)
            if (!EnvelopeHeaders.IsApplication(name))
                return JsonSerializer.Serialize(headers.Where(h => EnvelopeHeaders.IsApplication(h.Key)).ToDictionary(StringComparer.Ordinal));
        return JsonSerializer.Serialize(headers); // all of them are the application's (the usual case): no copy
    }

    /// <summary>A row's headers column back into a dictionary.</summary>
    public static Dictionary<string, string> ReadHeaders(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
