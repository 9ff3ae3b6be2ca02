namespace Messaging.Transport;

/// <summary>What the transport does with a processed message.</summary>
public enum ProcessingStatus
{
    /// <summary>Handled (or skipped as a duplicate): acknowledge it.</summary>
    Ack,
    /// <summary>Cannot be handled: send it to the dead-letter destination with the reason, then acknowledge it.</summary>
    DeadLetter,
}

/// <summary>The outcome of processing one message.</summary>
/// <param name="Status">Acknowledge or dead-letter.</param>
/// <param name="DeadLetter">Why, when <paramref name="Status"/> is <see cref="ProcessingStatus.DeadLetter"/>.</param>
public sealed record ProcessingResult(ProcessingStatus Status, DeadLetterReason? DeadLetter)
{
    /// <summary>The acknowledge result.</summary>
    public static ProcessingResult Ack { get; } = new(ProcessingStatus.Ack, null);

    /// <summary>Creates a dead-letter result.</summary>
    /// <param name="reason">Why the message is parked.</param>
    /// <returns>The result.</returns>
    public static ProcessingResult DeadLettered(DeadLetterReason reason) => new(ProcessingStatus.DeadLetter, reason);
}
