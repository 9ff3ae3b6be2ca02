using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Messaging;

/// <summary>
/// Reads an envelope back from its header table (docs/wire-format.md), one header at a time as a transport meets them:
/// the reading side of <see cref="EnvelopeHeaders.Write{TState}"/>, shared by every transport. It knows which header
/// carries which field, that an empty value counts as absent, the timestamp's format (Unix milliseconds as decimal text,
/// surrounding spaces allowed, within <see cref="DateTimeOffset"/>'s range) and what an application header is. The
/// transport knows its broker's value types and what the broker itself carries (a Kafka record's key and timestamp,
/// AMQP properties).
/// </summary>
/// <remarks>A mutable struct, so that reading a message allocates nothing of its own beyond the application headers:
/// keep it in a local and call its methods on that local (a copy reads into the copy). Not thread-safe.</remarks>
public struct EnvelopeHeaderReader
{
    private const long MinUnixMs = -62135596800000, MaxUnixMs = 253402300799999; // DateTimeOffset's range
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();
    private Dictionary<string, string>? _application;

    /// <summary><see cref="HeaderNames.MessageId"/>, or null when absent or empty.</summary>
    public string? MessageId { get; private set; }

    /// <summary><see cref="HeaderNames.MessageType"/>, or null when absent or empty.</summary>
    public string? MessageType { get; private set; }

    /// <summary><see cref="HeaderNames.Destination"/>, or null when absent or empty.</summary>
    public string? Destination { get; private set; }

    /// <summary><see cref="HeaderNames.PartitionKey"/>, or null when absent or empty.</summary>
    public string? PartitionKey { get; private set; }

    /// <summary><see cref="HeaderNames.CorrelationId"/>, or null when absent or empty.</summary>
    public string? CorrelationId { get; private set; }

    /// <summary><see cref="HeaderNames.CausationId"/>, or null when absent or empty.</summary>
    public string? CausationId { get; private set; }

    /// <summary><see cref="HeaderNames.ContentType"/>, or null when absent or empty.</summary>
    public string? ContentType { get; private set; }

    /// <summary><see cref="HeaderNames.Timestamp"/>, or null when absent or unreadable (then <see cref="Problem"/> says so).</summary>
    public DateTimeOffset? Timestamp { get; private set; }

    /// <summary>The application headers read so far (every name not in <see cref="EnvelopeHeaders.Reserved"/>); a shared
    /// empty table when there are none.</summary>
    public readonly IReadOnlyDictionary<string, string> ApplicationHeaders => _application ?? NoHeaders;

    /// <summary>The first reason the table cannot be read faithfully (<c>header 'timestamp' is not Unix milliseconds</c>),
    /// or null. A transport dead-letters such a message with this reason rather than guess.</summary>
    public string? Problem { get; private set; }

    /// <summary>Reads one header whose value the transport already has as text (an AMQP string, or an integer read as its
    /// decimal text). <see cref="HeaderNames.RetryCount"/> is the transport's and is ignored here.</summary>
    /// <param name="name">Header name, case-sensitive as on the wire.</param>
    /// <param name="value">The value; null for a header without a value (absent for a field, empty text for an
    /// application header). A header that repeats keeps its last value.</param>
    public void Read(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case HeaderNames.MessageId: MessageId = NullIfEmpty(value); break;
            case HeaderNames.MessageType: MessageType = NullIfEmpty(value); break;
            case HeaderNames.Destination: Destination = NullIfEmpty(value); break;
            case HeaderNames.PartitionKey: PartitionKey = NullIfEmpty(value); break;
            case HeaderNames.CorrelationId: CorrelationId = NullIfEmpty(value); break;
            case HeaderNames.CausationId: CausationId = NullIfEmpty(value); break;
            case HeaderNames.ContentType: ContentType = NullIfEmpty(value); break;
            case HeaderNames.Timestamp:
                if (value is null) break;
                if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unixMs)) ReadTimestamp(unixMs);
                else Fail($"header '{HeaderNames.Timestamp}' is not Unix milliseconds");
                break;
            case HeaderNames.RetryCount: break;
            default: (_application ??= new(StringComparer.Ordinal))[name] = value ?? ""; break;
        }
    }

    /// <summary>Reads one header whose value is UTF-8 bytes (a Kafka header, an AMQP byte array). Bytes that are not UTF-8
    /// set <see cref="Problem"/> (decoding them would change the text silently); the timestamp is parsed from the bytes;
    /// message type, destination and content type are decoded once per distinct value
    /// (<see cref="RepeatedHeaderValues"/>).</summary>
    /// <param name="name">Header name.</param>
    /// <param name="value">The bytes; null for a header without a value.</param>
    public void ReadUtf8(string name, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (value is null)
        {
            Read(name, null);
            return;
        }
        if (!Utf8.IsValid(value))
        {
            Fail($"header '{name}' is not valid UTF-8");
            return;
        }
        if (name == HeaderNames.Timestamp && Utf8Parser.TryParse(value, out long unixMs, out var used) && used == value.Length)
        {
            ReadTimestamp(unixMs);
            return;
        }
        Read(name, RepeatedHeaderValues.Repeats(name) ? RepeatedHeaderValues.Decode(value) : Encoding.UTF8.GetString(value));
    }

    /// <summary>Sets the timestamp from a value the broker typed itself (an AMQP timestamp field).</summary>
    /// <param name="value">The time, or null when the header carried none.</param>
    public void ReadTimestamp(DateTimeOffset? value) => Timestamp = value;

    /// <summary>Records a problem the transport found in a header (a value of a type the wire contract does not allow);
    /// the first one is kept.</summary>
    /// <param name="problem">The reason, naming the header: <c>header 'message-id' is a table (F), not text</c>.</param>
    public void Fail(string problem) => Problem ??= problem;

    /// <summary>The envelope the table describes, with the broker's own values where the table has none.</summary>
    /// <param name="destination">The destination when the table names none (the topic or exchange it came from).</param>
    /// <param name="timestamp">The time when the table has none (the broker's record or message time).</param>
    /// <param name="body">The message body, kept as it is.</param>
    /// <param name="partitionKey">The broker's own key (a Kafka record key), which wins over the header; null to use the header.</param>
    /// <returns>The envelope; <see cref="Envelope.MessageId"/> is empty when the table had none (the transport's reason to
    /// dead-letter it), the content type <c>application/octet-stream</c> when it had none.</returns>
    public readonly Envelope ToEnvelope(string destination, DateTimeOffset timestamp, ReadOnlyMemory<byte> body, string? partitionKey = null) => new()
    {
        MessageId = MessageId ?? "",
        MessageType = MessageType ?? "",
        Destination = Destination ?? destination,
        PartitionKey = partitionKey ?? PartitionKey,
        CorrelationId = CorrelationId,
        CausationId = CausationId,
        ContentType = ContentType ?? "application/octet-stream",
        Timestamp = Timestamp ?? timestamp,
        Headers = ApplicationHeaders,
        Body = body,
    };

    private void ReadTimestamp(long unixMs)
    {
        if (unixMs is >= MinUnixMs and <= MaxUnixMs) Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        else Fail($"header '{HeaderNames.Timestamp}' is not Unix milliseconds");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
