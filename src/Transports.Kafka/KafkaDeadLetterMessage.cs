using Confluent.Kafka;

namespace Messaging.Kafka;

/// <summary>Builds the record parked on a dead-letter topic: the original key, value and timestamp, the
/// envelope headers and the <c>dead-letter-*</c> reason headers.</summary>
internal static class KafkaDeadLetterMessage
{
    /// <param name="record">The consumed record.</param>
    /// <param name="envelope">Its envelope (partly empty when it could not be read).</param>
    /// <param name="headers">The envelope's headers plus the reason, from <see cref="Transport.DeadLetterReason.ToHeaders"/>.</param>
    /// <param name="readable">False when the envelope could not be read: the record is parked with its headers' bytes as they came.</param>
    public static Message<string?, byte[]> Create(ConsumeResult<string?, byte[]> record, Envelope envelope, IReadOnlyDictionary<string, string> headers, bool readable)
    {
        if (readable)
        {
            var message = KafkaEnvelopeMapper.ToMessage(envelope, headers);
            message.Key = record.Message.Key;
            message.Value = record.Message.Value;
            return message;
        }
        // The envelope could not be read: park the record exactly as it came, plus the reason.
        var raw = KafkaEnvelopeMapper.CopyHeaders(record);
        foreach (var (name, value) in headers)
            if (name.StartsWith(HeaderNames.DeadLetterPrefix, StringComparison.Ordinal)) KafkaEnvelopeMapper.Add(raw, name, value);
        return new Message<string?, byte[]> { Key = record.Message.Key, Value = record.Message.Value, Timestamp = record.Message.Timestamp, Headers = raw };
    }
}
