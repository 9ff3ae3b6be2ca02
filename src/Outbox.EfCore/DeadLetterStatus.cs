namespace Messaging.Outbox;

/// <summary>Where a dead letter stands; stored as text in <c>messaging_dead_letters.status</c> so it reads plainly in SQL.</summary>
public enum DeadLetterStatus
{
    /// <summary>Dead-lettered and waiting for an operator (new, or failed again after a re-drive).</summary>
    Parked,
    /// <summary>Re-driven: an outbox row with the same message id was written to its original destination. Should it fail
    /// again, the row is <see cref="Parked"/> again with its re-drive count kept. With key-ordered dead-lettering also a
    /// parked head of its key that the broker delivered again and the endpoint then handled (its re-drive count stays).</summary>
    Redriven,
    /// <summary>An operator decided it needs no handling; kept for the record.</summary>
    Discarded,
    /// <summary>Key-ordered dead-lettering (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>): not failed, but held behind an
    /// earlier dead letter of its partition key at this endpoint, acknowledged at the broker without a handler run (no broker
    /// copy). Released in its original order once everything before it of its key is handled or discarded.</summary>
    Held,
    /// <summary>Key-ordered dead-lettering: re-driven (or, held, its turn came) through the outbox, and still holding its key
    /// until the endpoint has handled it; then <see cref="Redriven"/>, and once none of its key is in flight any more, the
    /// messages held behind it are released.</summary>
    Releasing,
}
