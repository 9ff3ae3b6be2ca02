using System.Globalization;
using Messaging.Outbox.Writing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.DeadLetters;

/// <summary>Converts between dead letters and their rows, and a row back into the envelope a re-drive publishes.</summary>
internal static class DeadLetterRows
{
    /// <param name="entry">The dead letter.</param>
    /// <param name="keyOrdered">The endpoint keeps key order across dead letters (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>).</param>
    public static DeadLetter New(DeadLetterEntry entry, bool keyOrdered)
    {
        var row = WithEnvelope(new DeadLetter
        {
            Endpoint = entry.Endpoint,
            Transport = entry.Transport,
            FirstFailedAt = entry.Time.UtcDateTime,
            Status = DeadLetterStatus.Parked,
        }, entry.Envelope, entry.Envelope.Headers);
        Failure(row, entry);
        row.Failures = 1;
        row.KeyOrdered = keyOrdered && row.PartitionKey is { Length: > 0 };
        return row;
    }

    /// <summary>A row for a message held behind <paramref name="head"/>, the first dead letter of its key at the endpoint:
    /// no failure, no broker copy; it goes out through <paramref name="head"/>'s transport when released.</summary>
    public static DeadLetter Held(IncomingMessage message, DeadLetter head, DateTimeOffset now)
    {
        var row = WithEnvelope(new DeadLetter
        {
            Endpoint = head.Endpoint,
            Transport = head.Transport,
            FirstFailedAt = now.UtcDateTime,
        }, message.Envelope, message.Envelope.Headers);
        HeldAgain(row, message, head, now);
        return row;
    }

    /// <summary>Holds a message that has a row already (dead-lettered or re-driven before): its failure details stay.</summary>
    public static void HeldAgain(DeadLetter row, IncomingMessage message, DeadLetter head, DateTimeOffset now)
    {
        row.Source = message.Source;
        row.Reason = $"held behind {head.MessageId}: key {head.PartitionKey} has a dead letter at endpoint {head.Endpoint}";
        row.LastFailedAt = now.UtcDateTime;
        row.Status = DeadLetterStatus.Held;
        row.KeyOrdered = true;
    }

    /// <summary>A row for a copy found on a broker's dead-letter queue or topic (see <see cref="DeadLetter.FromBrokerCopy"/>).</summary>
    public static DeadLetter FromBrokerCopy(Envelope envelope, IReadOnlyDictionary<string, string> headers, string transport, string endpoint, string deadLetterDestination)
    {
        string? Header(string name) => headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var failedAt = DateTime.TryParse(Header(HeaderNames.DeadLetterTime), CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : envelope.Timestamp.UtcDateTime; // no dead-letter time: the message's own
        var row = WithEnvelope(new DeadLetter
        {
            Endpoint = endpoint,
            HandlerName = Header(HeaderNames.DeadLetterHandler),
            Transport = transport,
            Source = Header(HeaderNames.DeadLetterSource) ?? "",
            DeadLetterDestination = deadLetterDestination,
            Reason = Header(HeaderNames.DeadLetterReason) ?? "(no dead-letter-reason header)",
            ExceptionType = Header(HeaderNames.DeadLetterExceptionType),
            ExceptionMessage = Header(HeaderNames.DeadLetterExceptionMessage),
            FailureSite = Header(HeaderNames.DeadLetterFailureSite),
            Fingerprint = Header(HeaderNames.DeadLetterFingerprint),
            Attempts = int.TryParse(Header(HeaderNames.DeadLetterAttempts), CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            FirstFailedAt = failedAt,
            LastFailedAt = failedAt,
            Failures = 1,
            Status = DeadLetterStatus.Parked,
        }, envelope, envelope.Headers.Where(h => !h.Key.StartsWith(HeaderNames.DeadLetterPrefix, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal));
        row.Destination = Header(HeaderNames.DeadLetterOriginalDestination) ?? envelope.Destination;
        return row;
    }

    /// <summary>The envelope's columns of a dead-letter row and its producer timestamp.</summary>
    private static DeadLetter WithEnvelope(DeadLetter row, Envelope envelope, IReadOnlyDictionary<string, string> headers)
    {
        row.CopyFrom(envelope, headers);
        row.SentAt = envelope.Timestamp.UtcDateTime;
        return row;
    }

    /// <summary>The same message dead-lettered again (after a re-drive, or a redelivery whose first record was lost):
    /// one more failure on its row, parked again, the re-drive count kept.</summary>
    public static void FailedAgain(DeadLetter row, DeadLetterEntry entry, bool keyOrdered)
    {
        Failure(row, entry);
        row.Failures++;
        row.Status = DeadLetterStatus.Parked;
        row.KeyOrdered = keyOrdered && row.PartitionKey is { Length: > 0 };
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

    /// <summary>Re-drives a tracked row, not saved: its outbox row (same message id, original destination, through its
    /// transport) and its mark: <see cref="DeadLetterStatus.Releasing"/> when key-ordered (it holds its key until handled),
    /// else <see cref="DeadLetterStatus.Redriven"/>, by no job.</summary>
    public static void Redrive(DbContext db, DeadLetter row, DateTimeOffset now)
    {
        db.Set<OutboxMessage>().Add(OutboxRows.ToRow(ToEnvelope(row, now), row.Transport));
        row.Status = row.KeyOrdered ? DeadLetterStatus.Releasing : DeadLetterStatus.Redriven;
        row.RedriveCount++;
        row.LastRedrivenAt = now.UtcDateTime;
        row.LastRedriveJobId = null;
    }

    /// <summary>The envelope a re-drive publishes: same message id, type, destination, key, ids, body and application
    /// headers; without the old <c>traceparent</c> (the re-drive starts its own trace) and any <c>dead-letter-*</c> header.</summary>
    public static Envelope ToEnvelope(DeadLetter row, DateTimeOffset now) => row.ToEnvelope(now, EnvelopeRow.ParseHeaders(row.Headers)
        .Where(h => h.Key != HeaderNames.TraceParent && !h.Key.StartsWith(HeaderNames.DeadLetterPrefix, StringComparison.Ordinal))
        .ToDictionary(StringComparer.Ordinal));
}
