namespace Messaging;

/// <summary>
/// One message as it travels between services: the serialized body plus the metadata every transport
/// carries (RabbitMQ basic properties and headers, Kafka record key and headers).
/// </summary>
/// <remarks>
/// The message id is created once by the producer (<see cref="NewMessageId"/>) and never derived from
/// an offset or a delivery tag, so the inbox can recognise the same message when it is redelivered,
/// replayed, or arrives through another broker.
/// </remarks>
public sealed record Envelope
{
    /// <summary>Unique id of the message, created by the producer; the inbox key. Never empty.</summary>
    public required string MessageId { get; init; }

    /// <summary>Logical message type name (see <see cref="Routing.MessageTypeMap"/>); selects the handler.</summary>
    public required string MessageType { get; init; }

    /// <summary>Destination: a Kafka topic or a RabbitMQ exchange name.</summary>
    public required string Destination { get; init; }

    /// <summary>Partition key: the Kafka record key, or the ordering key on RabbitMQ. Messages with the same
    /// key are handled in publish order. Null means no ordering requirement.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>Id shared by all messages of one business flow; null when not set.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Message id of the message whose handling caused this one; null for a first message.</summary>
    public string? CausationId { get; init; }

    /// <summary>MIME type of <see cref="Body"/>; <c>application/json</c> for the default serializer.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>When the producer created the message (UTC, millisecond precision on the wire). <c>IEnvelopeFactory</c> sets it
    /// from the host's <see cref="TimeProvider"/>; the system clock's now is only the default of an envelope built by hand.</summary>
    public DateTimeOffset Timestamp { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Application headers (string values, UTF-8 on the wire). Never null; the envelope's own fields
    /// travel in reserved headers listed in <see cref="HeaderNames"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = EmptyHeaders;

    /// <summary>Serialized message body, in bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();

    /// <summary>Creates a new message id: a version 7 (time-ordered) GUID in its 36-character "D" form.</summary>
    /// <returns>A new, unique message id.</returns>
    public static string NewMessageId() => Guid.CreateVersion7().ToString("D");
}
