using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Confluent.Kafka;

namespace Messaging.Kafka;

/// <summary>
/// Envelope to Kafka record and back: key = partition key, value = body, timestamp = envelope timestamp,
/// envelope fields and application headers in record headers (UTF-8) named by <see cref="HeaderNames"/>.
/// </summary>
internal static class KafkaEnvelopeMapper
{
    private const long MinUnixMs = -62135596800000, MaxUnixMs = 253402300799999; // DateTimeOffset's range

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Builds the record for <paramref name="envelope"/>; <paramref name="headers"/> replaces its application headers when given.</summary>
    public static Message<string?, byte[]> ToMessage(Envelope envelope, IReadOnlyDictionary<string, string>? headers = null)
    {
        var kafkaHeaders = new Headers();
        EnvelopeHeaders.Write(envelope, kafkaHeaders, Add);
        foreach (var (name, value) in headers ?? envelope.Headers)
            if (EnvelopeHeaders.IsApplication(name)) Add(kafkaHeaders, name, value);
        return new Message<string?, byte[]>
        {
            Key = envelope.PartitionKey,
            Value = BodyBytes.AsArray(envelope.Body),
            Timestamp = new Timestamp(envelope.Timestamp),
            Headers = kafkaHeaders,
        };
    }

    /// <summary>Reads the envelope of a consumed record; false, with <paramref name="error"/> saying why, when it has
    /// no message id or a header value that cannot be read (not UTF-8, or a <c>timestamp</c> that is not Unix
    /// milliseconds): decoding or guessing would silently change it. Runs per record: the envelope's fields are read
    /// straight into locals, and only application headers get a dictionary.</summary>
    public static bool TryReadEnvelope(ConsumeResult<string?, byte[]> record, out Envelope envelope, out string? error) =>
        TryReadEnvelope(record, out envelope, out error, out _);

    /// <inheritdoc cref="TryReadEnvelope(ConsumeResult{string?, byte[]}, out Envelope, out string?)"/>
    /// <param name="record">The consumed record.</param>
    /// <param name="envelope">Its envelope (partly empty when it cannot be read).</param>
    /// <param name="error">Why it cannot be read; null when it can.</param>
    /// <param name="keyConflict">The <c>partition-key</c> header's value when it differs from the record key, which
    /// is used (Kafka partitions and orders by the key; docs/wire-format.md); null when they agree.</param>
    public static bool TryReadEnvelope(ConsumeResult<string?, byte[]> record, out Envelope envelope, out string? error, out string? keyConflict)
    {
        string? messageId = null, messageType = null, destination = null, partitionKey = null;
        string? correlationId = null, causationId = null, contentType = null, problem = null;
        DateTimeOffset? timestamp = null;
        Dictionary<string, string>? application = null;
        foreach (var header in record.Message.Headers ?? [])
        {
            var bytes = header.GetValueBytes();
            if (bytes is not null && !Utf8.IsValid(bytes))
            {
                problem ??= $"header '{header.Key}' is not valid UTF-8";
                continue;
            }
            switch (header.Key) // a repeated header: last wins; a null value is no value
            {
                case HeaderNames.MessageId: messageId = Decode(bytes); break;
                case HeaderNames.MessageType: messageType = DecodeRepeated(bytes); break;
                case HeaderNames.Destination: destination = DecodeRepeated(bytes); break;
                case HeaderNames.PartitionKey: partitionKey = Decode(bytes); break;
                case HeaderNames.CorrelationId: correlationId = Decode(bytes); break;
                case HeaderNames.CausationId: causationId = Decode(bytes); break;
                case HeaderNames.ContentType: contentType = DecodeRepeated(bytes); break;
                case HeaderNames.Timestamp:
                    timestamp = ParseUnixMs(bytes);
                    if (bytes is not null && timestamp is null) problem ??= $"header '{HeaderNames.Timestamp}' is not Unix milliseconds";
                    break;
                default:
                    if (EnvelopeHeaders.IsApplication(header.Key)) (application ??= new(StringComparer.Ordinal))[header.Key] = Decode(bytes) ?? "";
                    break;
            }
        }
        var key = record.Message.Key;
        keyConflict = key is not null && partitionKey is not null && !string.Equals(key, partitionKey, StringComparison.Ordinal) ? partitionKey : null;
        envelope = new Envelope
        {
            MessageId = messageId ?? "",
            MessageType = messageType ?? "",
            Destination = destination ?? record.Topic,
            PartitionKey = key ?? partitionKey,
            CorrelationId = correlationId,
            CausationId = causationId,
            ContentType = contentType ?? "application/octet-stream",
            Timestamp = timestamp ?? record.Message.Timestamp.UtcDateTime,
            Headers = application ?? NoHeaders,
            Body = record.Message.Value ?? [],
        };
        error = problem ?? (envelope.MessageId.Length == 0 ? $"record has no {HeaderNames.MessageId} header" : null);
        return error is null;
    }

    /// <summary>The record's headers as they are, for dead-lettering a record whose envelope cannot be read.</summary>
    public static Headers CopyHeaders(ConsumeResult<string?, byte[]> record)
    {
        var copy = new Headers();
        foreach (var header in record.Message.Headers ?? []) copy.Add(header.Key, header.GetValueBytes());
        return copy;
    }

    private static string? Decode(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private static string? DecodeRepeated(byte[]? bytes) => bytes is null ? null : RepeatedHeaderValues.Decode(bytes);

    /// <summary>The timestamp header (Unix ms as digits, optionally signed or padded); null when it does not parse.</summary>
    private static DateTimeOffset? ParseUnixMs(byte[]? bytes)
    {
        if (bytes is null) return null;
        if (!(Utf8Parser.TryParse(bytes, out long unixMs, out var used) && used == bytes.Length)
            && !long.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.Integer, CultureInfo.InvariantCulture, out unixMs))
            return null;
        return unixMs is >= MinUnixMs and <= MaxUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs) : null;
    }

    public static void Add(Headers headers, string name, string value) =>
        headers.Add(name, RepeatedHeaderValues.Repeats(name) ? RepeatedHeaderValues.Encode(value) : Encoding.UTF8.GetBytes(value));

    /// <summary>Where a record was consumed: <c>topic t partition p offset o</c>.</summary>
    public static string Source(TopicPartitionOffset position) =>
        string.Create(CultureInfo.InvariantCulture, $"topic {position.Topic} partition {position.Partition.Value} offset {position.Offset.Value}");
}
