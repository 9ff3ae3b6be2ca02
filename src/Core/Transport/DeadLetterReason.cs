using System.Globalization;

namespace Messaging.Transport;

/// <summary>Why a message was dead-lettered; becomes the <c>dead-letter-*</c> headers.</summary>
/// <param name="Reason">One line for a person, for example <c>handler failed after 3 attempts</c>.</param>
/// <param name="ExceptionType">Full type name of the last exception, or null.</param>
/// <param name="ExceptionMessage">Message of the last exception, or null.</param>
/// <param name="Attempts">Handling attempts made (0 when the message could not be handled at all).</param>
public sealed record DeadLetterReason(string Reason, string? ExceptionType, string? ExceptionMessage, int Attempts)
{
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
        return headers;
    }
}
