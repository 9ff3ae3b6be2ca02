namespace Messaging.Transport;

/// <summary>What the transport does with a processed message.</summary>
public enum ProcessingStatus
{
    /// <summary>Handled (or skipped as a duplicate): acknowledge it.</summary>
    Ack,
    /// <summary>Cannot be handled: send it to the dead-letter destination with the reason, then acknowledge it.</summary>
    DeadLetter,
    /// <summary>Failed for now: deliver it again after <see cref="ProcessingResult.RetryDelay"/> with
    /// <see cref="IncomingMessage.DelayedRetries"/> + 1 (the new copy confirmed before the original is acknowledged).
    /// Only returned to transports with <see cref="TransportCapabilities.DelayedRetry"/>.</summary>
    RetryLater,
}

/// <summary>The outcome of processing one message.</summary>
/// <param name="Status">Acknowledge or dead-letter.</param>
/// <param name="Failure">Why the message could not be handled: the dead-letter reason for
/// <see cref="ProcessingStatus.DeadLetter"/>, the last attempt's failure for <see cref="ProcessingStatus.RetryLater"/>;
/// null for <see cref="ProcessingStatus.Ack"/>.</param>
public sealed record ProcessingResult(ProcessingStatus Status, DeadLetterReason? Failure)
{
    /// <summary>For <see cref="ProcessingStatus.RetryLater"/>: how long to wait before delivering again.</summary>
    public TimeSpan RetryDelay { get; init; }

    /// <summary>Creates a delayed-retry result.</summary>
    /// <param name="delay">Wait before the next delivery.</param>
    /// <param name="lastFailure">Why the attempts so far failed (for logs).</param>
    /// <returns>The result.</returns>
    public static ProcessingResult RetryLater(TimeSpan delay, DeadLetterReason lastFailure) =>
        new(ProcessingStatus.RetryLater, lastFailure) { RetryDelay = delay };

    /// <summary>The acknowledge result.</summary>
    public static ProcessingResult Ack { get; } = new(ProcessingStatus.Ack, null);

    /// <summary>Creates a dead-letter result.</summary>
    /// <param name="reason">Why the message is parked.</param>
    /// <returns>The result.</returns>
    public static ProcessingResult DeadLettered(DeadLetterReason reason) => new(ProcessingStatus.DeadLetter, reason);
}
