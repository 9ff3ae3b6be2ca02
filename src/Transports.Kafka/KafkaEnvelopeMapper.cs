using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Messaging.Kafka;

/// <summary>
/// Envelope to Kafka record and back: key = partition key, value = body, timestamp = envelope timestamp,
/// envelope fields and application headers in record headers (UTF-8) named by <see cref="HeaderNames"/>.
/// </summary>
internal static class KafkaEnvelopeMapper
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        HeaderNames.MessageId, HeaderNames.MessageType, HeaderNames.PartitionKey, HeaderNames.CorrelationId,
        HeaderNames.CausationId, HeaderNames.ContentType, HeaderNames.Timestamp, HeaderNames.Destination,
    };

    /// <summary>Builds the record for <paramref name="envelope"/>; <paramref name="headers"/> replaces its application headers when given.</summary>
    public static Message<string?, byte[]> ToMessage(Envelope envelope, IReadOnlyDictionary<string, string>? headers = null)
    {
        var kafkaHeaders = new Headers();
        Add(kafkaHeaders, HeaderNames.MessageId, envelope.MessageId);
        Add(kafkaHeaders, HeaderNames.MessageType, envelope.MessageType);
        Add(kafkaHeaders, HeaderNames.Destination, envelope.Destination);
        Add(kafkaHeaders, HeaderNames.ContentType, envelope.ContentType);
        Add(kafkaHeaders, HeaderNames.Timestamp, envelope.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (envelope.PartitionKey is not null) Add(kafkaHeaders, HeaderNames.PartitionKey, envelope.PartitionKey);
        if (envelope.CorrelationId is not null) Add(kafkaHeaders, HeaderNames.CorrelationId, envelope.CorrelationId);
        if (envelope.CausationId is not null) Add(kafkaHeaders, HeaderNames.CausationId, envelope.CausationId);
        foreach (var (name, value) in headers ?? envelope.Headers)
            if (!Reserved.Contains(name)) Add(kafkaHeaders, name, value);
        return new Message<string?, byte[]>
        {
            Key = envelope.PartitionKey,
            Value = envelope.Body.ToArray(),
            Timestamp = new Timestamp(envelope.Timestamp),
            Headers = kafkaHeaders,
        };
    }

    /// <summary>Reads the envelope of a consumed record; false when it has no message id.</summary>
    public static bool TryReadEnvelope(ConsumeResult<string?, byte[]> record, out Envelope envelope)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var application = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in record.Message.Headers ?? [])
        {
            var value = header.GetValueBytes() is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
            (Reserved.Contains(header.Key) ? fields : application)[header.Key] = value; // a repeated header: last wins
        }
        var timestamp = fields.TryGetValue(HeaderNames.Timestamp, out var ms) && long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unixMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs)
            : record.Message.Timestamp.UtcDateTime;
        envelope = new Envelope
        {
            MessageId = fields.GetValueOrDefault(HeaderNames.MessageId, ""),
            MessageType = fields.GetValueOrDefault(HeaderNames.MessageType, ""),
            Destination = fields.GetValueOrDefault(HeaderNames.Destination, record.Topic),
            PartitionKey = fields.GetValueOrDefault(HeaderNames.PartitionKey) ?? record.Message.Key,
            CorrelationId = fields.GetValueOrDefault(HeaderNames.CorrelationId),
            CausationId = fields.GetValueOrDefault(HeaderNames.CausationId),
            ContentType = fields.GetValueOrDefault(HeaderNames.ContentType, "application/octet-stream"),
            Timestamp = timestamp,
            Headers = application,
            Body = record.Message.Value ?? [],
        };
        return envelope.MessageId.Length > 0;
    }

    /// <summary>The record's headers as they are, for dead-lettering a record whose envelope cannot be read.</summary>
    public static Headers CopyHeaders(ConsumeResult<string?, byte[]> record)
    {
        var copy = new Headers();
        foreach (var header in record.Message.Headers ?? []) copy.Add(header.Key, header.GetValueBytes());
        return copy;
    }

    public static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));

    /// <summary>Where a record was consumed: <c>topic t partition p offset o</c>.</summary>
    public static string Source(TopicPartitionOffset position) =>
        string.Create(CultureInfo.InvariantCulture, $"topic {position.Topic} partition {position.Partition.Value} offset {position.Offset.Value}");
}
