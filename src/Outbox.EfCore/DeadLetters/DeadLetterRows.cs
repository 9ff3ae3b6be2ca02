using Messaging.Transport;

namespace Messaging.Outbox;

/// <summary>Converts between dead letters and their rows, and a row back into the envelope a re-drive publishes.</summary>
internal static class DeadLetterRows
{
    private const string DeadLetterPrefix = "dead-letter-";

    public static DeadLetter New(DeadLetterEntry entry)
    {
        var envelope = entry.Envelope;
        var row = new DeadLetter
        {
            MessageId = envelope.MessageId,
            MessageType = envelope.MessageType,
            Endpoint = entry.Endpoint,
            Transport = entry.Transport,
            Destination = envelope.Destination,
            PartitionKey = envelope.PartitionKey,
            CorrelationId = envelope.CorrelationId,
            CausationId = envelope.CausationId,
            ContentType = envelope.ContentType,
            Headers = OutboxRows.HeadersJson(envelope.Headers),
            Body = BodyBytes.AsArray(envelope.Body),
            SentAt = envelope.Timestamp.UtcDateTime,
            FirstFailedAt = entry.Time.UtcDateTime,
            Status = DeadLetterStatus.Parked,
        };
        Failure(row, entry);
        row.Failures = 1;
        return row;
    }

    /// <summary>The same message dead-lettered again (after a re-drive, or a redelivery whose first record was lost):
    /// one more failure on its row, parked again, the re-drive count kept.</summary>
    public static void FailedAgain(DeadLetter row, DeadLetterEntry entry)
    {
        Failure(row, entry);
        row.Failures++;
        row.Status = DeadLetterStatus.Parked;
    }

    private static void Failure(DeadLetter row, DeadLetterEntry entry)
    {
        var reason = entry.Reason;
        row.HandlerName = reason.Handler;
        row.Source = entry.Source;
        row.DeadLetterDestination = entry.DeadLetterDestination;
        row.Reason = reason.Reason;
        row.ExceptionType = reason.ExceptionType;
        row.ExceptionMessage = reason.ExceptionMessage;
        row.FailureSite = reason.FailureSite;
        row.Fingerprint = reason.Fingerprint;
        row.Attempts = reason.Attempts;
        row.LastFailedAt = entry.Time.UtcDateTime;
    }

    /// <summary>The envelope a re-drive publishes: same message id, type, destination, key, ids, body and application
    /// headers; without the old <c>traceparent</c> (the re-drive starts its own trace) and any <c>dead-letter-*</c> header.</summary>
    public static Envelope ToEnvelope(DeadLetter row, DateTimeOffset now) => new()
    {
        MessageId = row.MessageId,
        MessageType = row.MessageType,
        Destination = row.Destination,
        PartitionKey = row.PartitionKey,
        CorrelationId = row.CorrelationId,
        CausationId = row.CausationId,
        ContentType = row.ContentType,
        Timestamp = now,
        Headers = OutboxRows.ReadHeaders(row.Headers)
            .Where(h => h.Key != HeaderNames.TraceParent && !h.Key.StartsWith(DeadLetterPrefix, StringComparison.Ordinal))
            .ToDictionary(StringComparer.Ordinal),
        Body = row.Body,
    };
}
