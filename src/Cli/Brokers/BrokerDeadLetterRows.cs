using System.Globalization;
using Messaging.Outbox;

namespace Messaging.Cli.Brokers;

/// <summary>Turns a broker copy (its envelope, as far as it could be read, and its headers as text) into a dead-letter row.</summary>
internal static class BrokerDeadLetterRows
{
    private const string DeadLetterPrefix = "dead-letter-";

    public static DeadLetter From(Envelope envelope, IReadOnlyDictionary<string, string> headers, string transport, string endpoint, string deadLetterDestination)
    {
        string? Header(string name) => headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var failedAt = DateTime.TryParse(Header(HeaderNames.DeadLetterTime), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : DateTime.UtcNow;
        var applicationHeaders = envelope.Headers.Where(h => !h.Key.StartsWith(DeadLetterPrefix, StringComparison.Ordinal))
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        return new DeadLetter
        {
            MessageId = envelope.MessageId,
            MessageType = envelope.MessageType,
            Endpoint = endpoint,
            HandlerName = Header(HeaderNames.DeadLetterHandler),
            Transport = transport,
            Destination = Header(HeaderNames.DeadLetterOriginalDestination) ?? envelope.Destination,
            Source = Header(HeaderNames.DeadLetterSource) ?? "",
            DeadLetterDestination = deadLetterDestination,
            Reason = Header(HeaderNames.DeadLetterReason) ?? "(no dead-letter-reason header)",
            ExceptionType = Header(HeaderNames.DeadLetterExceptionType),
            ExceptionMessage = Header(HeaderNames.DeadLetterExceptionMessage),
            FailureSite = Header(HeaderNames.DeadLetterFailureSite),
            Fingerprint = Header(HeaderNames.DeadLetterFingerprint),
            Attempts = int.TryParse(Header(HeaderNames.DeadLetterAttempts), CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            PartitionKey = envelope.PartitionKey,
            CorrelationId = envelope.CorrelationId,
            CausationId = envelope.CausationId,
            ContentType = envelope.ContentType,
            Headers = OutboxRows.HeadersJson(applicationHeaders),
            Body = envelope.Body.ToArray(),
            SentAt = envelope.Timestamp.UtcDateTime,
            FirstFailedAt = failedAt,
            LastFailedAt = failedAt,
            Failures = 1,
            Status = DeadLetterStatus.Parked,
        };
    }
}
