using System.Text.Json;

namespace Messaging.Outbox;

/// <summary>
/// The envelope's columns that an outbox row (<see cref="OutboxMessage"/>) and a dead-letter row (<see cref="DeadLetter"/>)
/// share, declared and mapped once: the same names, lengths and header format in both tables, so a dead letter re-driven
/// through the outbox keeps its message id, key, ids, headers and body to the byte.
/// </summary>
/// <remarks>Only this package derives from it. The producer's timestamp is not here: the two tables name it differently
/// (<see cref="OutboxMessage.CreatedAt"/>, <see cref="DeadLetter.SentAt"/>).</remarks>
public abstract class EnvelopeRow
{
    private protected EnvelopeRow() { }

    /// <summary><c>message_id</c>: the producer-created message id, at most 200 characters; the consumer's inbox key (empty on a
    /// dead letter whose envelope could not be read).</summary>
    public string MessageId { get; internal set; } = "";

    /// <summary><c>message_type</c>: the logical message type name as published, at most 500 characters.</summary>
    public string MessageType { get; internal set; } = "";

    /// <summary><c>destination</c>: the topic or exchange it was (or is to be) published to, at most 500 characters.</summary>
    public string Destination { get; internal set; } = "";

    /// <summary><c>partition_key</c>: the ordering key, at most 500 characters; null for none.</summary>
    public string? PartitionKey { get; internal set; }

    /// <summary><c>correlation_id</c>, at most 200 characters; null when not set.</summary>
    public string? CorrelationId { get; internal set; }

    /// <summary><c>causation_id</c>, at most 200 characters; null when not set.</summary>
    public string? CausationId { get; internal set; }

    /// <summary><c>headers</c>: the envelope's application headers (not the reserved ones of docs/wire-format.md) as a JSON
    /// object of strings.</summary>
    public string Headers { get; internal set; } = "{}";

    /// <summary><c>body</c>: the serialized message, in bytes, as published or as it arrived.</summary>
    public byte[] Body { get; internal set; } = [];

    /// <summary><c>content_type</c>: the MIME type of <see cref="Body"/>, at most 200 characters.</summary>
    public string ContentType { get; internal set; } = "";

    /// <summary>The application headers kept in <see cref="Headers"/>, parsed from their JSON object.</summary>
    /// <returns>Header name → value; empty when there are none.</returns>
    /// <exception cref="JsonException"><see cref="Headers"/> is not a JSON object of strings (edited by hand).</exception>
    public IReadOnlyDictionary<string, string> ReadHeaders() => ParseHeaders(Headers);

    /// <summary>Copies the envelope's fields into these columns, with <paramref name="headers"/> as the application headers.</summary>
    internal void CopyFrom(Envelope envelope, IReadOnlyDictionary<string, string> headers)
    {
        MessageId = envelope.MessageId;
        MessageType = envelope.MessageType;
        Destination = envelope.Destination;
        PartitionKey = envelope.PartitionKey;
        CorrelationId = envelope.CorrelationId;
        CausationId = envelope.CausationId;
        Headers = HeadersJson(headers);
        Body = BodyBytes.AsArray(envelope.Body);
        ContentType = envelope.ContentType;
    }

    /// <summary>The envelope these columns hold, stamped <paramref name="timestamp"/>, with <paramref name="headers"/>.</summary>
    internal Envelope ToEnvelope(DateTimeOffset timestamp, IReadOnlyDictionary<string, string> headers) => new()
    {
        MessageId = MessageId,
        MessageType = MessageType,
        Destination = Destination,
        PartitionKey = PartitionKey,
        CorrelationId = CorrelationId,
        CausationId = CausationId,
        Headers = headers,
        Body = Body,
        ContentType = ContentType,
        Timestamp = timestamp,
    };

    /// <summary>The application headers (not <see cref="EnvelopeHeaders.Reserved"/>) as the JSON object a row keeps.</summary>
    internal static string HeadersJson(IReadOnlyDictionary<string, string> headers)
    {
        if (headers.Count == 0) return "{}";
        foreach (var name in headers.Keys)
            if (!EnvelopeHeaders.IsApplication(name))
                return JsonSerializer.Serialize(headers.Where(h => EnvelopeHeaders.IsApplication(h.Key)).ToDictionary(StringComparer.Ordinal));
        return JsonSerializer.Serialize(headers); // all of them are the application's (the usual case): no copy
    }

    /// <summary>A row's headers column back into a dictionary.</summary>
    internal static Dictionary<string, string> ParseHeaders(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}
