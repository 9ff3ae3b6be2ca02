using System.Globalization;

namespace Messaging.Transport;

/// <summary>Why a message was dead-lettered; becomes the <c>dead-letter-*</c> headers.</summary>
/// <param name="Reason">One line for a person, for example <c>handler failed after 3 attempts</c>.</param>
/// <param name="ExceptionType">Full type name of the last exception, or null.</param>
/// <param name="ExceptionMessage">Message of the last exception, or null.</param>
/// <param name="Attempts">Handling attempts made (0 when the message could not be handled at all).</param>
public sealed record DeadLetterReason(string Reason, string? ExceptionType, string? ExceptionMessage, int Attempts)
{
    /// <summary>The stable name of the handler that failed (the inbox key); null when no handler ran (an unreadable
    /// envelope, an unknown type, a body that could not be deserialized). Header <c>dead-letter-handler</c>.</summary>
    public string? Handler { get; init; }

    /// <summary>Where the failure happened: the first stack frame of application code, as <c>Namespace.Type.Method</c>
    /// (no line number, so it survives unrelated edits); null when the message was refused before any handler ran.
    /// Header <c>dead-letter-failure-site</c>.</summary>
    public string? FailureSite { get; init; }

    /// <summary>The failure group: 12 lowercase hex characters from SHA-256 of the exception type and
    /// <see cref="FailureSite"/> (or, for a message refused before any handler ran, of the kind of refusal and the message
    /// type). Messages that failed the same way share it, so an operator can re-drive or discard them together
    /// (<c>messaging dlq redrive --group</c>). Header <c>dead-letter-fingerprint</c>; null when not computed.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The kind of failure, low-cardinality, for the <c>messaging.dead_letter.reason</c> metric attribute:
    /// <c>handler_failed</c>, <c>unreadable</c>, <c>too_large</c>, <c>unknown_type</c>, <c>no_handler</c>,
    /// <c>undeserializable</c>, <c>poison</c>.</summary>
    internal string Kind { get; init; } = "handler_failed";

    /// <summary>
    /// Returns the envelope's headers plus the dead-letter headers (see <see cref="HeaderNames"/>).
    /// </summary>
    /// <param name="envelope">The message being parked.</param>
    /// <param name="source">Where it was consumed from.</param>
    /// <param name="now">The time it is parked.</param>
    /// <returns>A new header dictionary.</returns>
    public Dictionary<string, string> ToHeaders(Envelope envelope, string source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var headers = new Dictionary<string, string>(envelope.Headers)
        {
            [HeaderNames.DeadLetterReason] = Reason,
            [HeaderNames.DeadLetterOriginalDestination] = envelope.Destination,
            [HeaderNames.DeadLetterSource] = source,
            [HeaderNames.DeadLetterAttempts] = Attempts.ToString(CultureInfo.InvariantCulture),
            [HeaderNames.DeadLetterTime] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        if (ExceptionType is not null) headers[HeaderNames.DeadLetterExceptionType] = ExceptionType;
        if (ExceptionMessage is not null) headers[HeaderNames.DeadLetterExceptionMessage] = ExceptionMessage;
        if (Handler is not null) headers[HeaderNames.DeadLetterHandler] = Handler;
        if (FailureSite is not null) headers[HeaderNames.DeadLetterFailureSite] = FailureSite;
        if (Fingerprint is not null) headers[HeaderNames.DeadLetterFingerprint] = Fingerprint;
        return headers;
    }
}
