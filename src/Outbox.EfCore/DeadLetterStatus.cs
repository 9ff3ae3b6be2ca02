namespace Messaging.Outbox;

/// <summary>Where a dead letter stands; stored as text in <c>messaging_dead_letters.status</c> so it reads plainly in SQL.</summary>
public enum DeadLetterStatus
{
    /// <summary>Dead-lettered and waiting for an operator (new, or failed again after a re-drive).</summary>
    Parked,
    /// <summary>Re-driven: an outbox row with the same message id was written to its original destination. Should it fail
    /// again, the row is <see cref="Parked"/> again with its re-drive count kept.</summary>
    Redriven,
    /// <summary>An operator decided it needs no handling; kept for the record.</summary>
    Discarded,
}
