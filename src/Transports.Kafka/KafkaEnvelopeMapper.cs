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
    /// milliseconds): decoding or guessing would silently change it. The header table is read by Core's
    /// <see cref="EnvelopeHeaderReader"/>, as every transport reads it; the record's key and timestamp are Kafka's own.</summary>
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
        var reader = new EnvelopeHeaderReader();
        foreach (var header in record.Message.Headers ?? []) reader.ReadUtf8(header.Key, header.GetValueBytes()); // a repeated header: last wins
        var key = record.Message.Key;
        keyConflict = key is not null && reader.PartitionKey is not null && !string.Equals(key, reader.PartitionKey, StringComparison.Ordinal) ? reader.PartitionKey : null;
        envelope = reader.ToEnvelope(record.Topic, record.Message.Timestamp.UtcDateTime, record.Message.Value ?? [], key);
        error = reader.Problem ?? (envelope.MessageId.Length == 0 ? $"record has no {HeaderNames.MessageId} header" : null);
        return error is null;
    }

    /// <summary>The record's headers as they are, for dead-lettering a record whose envelope cannot be read.</summary>
    public static Headers CopyHeaders(ConsumeResult<string?, byte[]> record)
    {
        var copy = new Headers();
        foreach (var header in record.Message.Headers ?? []) copy.Add(header.Key, header.GetValueBytes());
        return copy;
    }

    public static void Add(Headers headers, string name, string value) =>
        headers.Add(name, EnvelopeHeaders.ToBytes(name, value));

    /// <summary>Where a record was consumed: <c>topic t partition p offset o</c>.</summary>
    public static string Source(TopicPartitionOffset position) =>
        string.Create(CultureInfo.InvariantCulture, $"topic {position.Topic} partition {position.Partition.Value} offset {position.Offset.Value}");
}
