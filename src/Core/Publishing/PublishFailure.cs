namespace Messaging.Publishing;

/// <summary>Why a publish was not confirmed by the broker.</summary>
/// <remarks><see cref="ConnectionLost"/> and <see cref="BrokerUnavailable"/> are outages of the transport as a whole, not
/// faults of the message (<see cref="PublishException.IsOutage"/>): the outbox does not count them against a row's
/// attempts. The others say something about this message or this publish.</remarks>
public enum PublishFailure
{
    /// <summary>The broker refused the message (RabbitMQ <c>basic.nack</c>, a Kafka delivery error).</summary>
    Rejected,
    /// <summary>No queue or partition took the message (RabbitMQ <c>basic.return</c> of a <c>mandatory</c> publish).</summary>
    Unroutable,
    /// <summary>No confirmation arrived within the configured bound while the connection was up; the message may or
    /// may not be stored.</summary>
    Timeout,
    /// <summary>The connection or channel closed before the confirmation arrived; the message may or may not be stored.</summary>
    ConnectionLost,
    /// <summary>The broker could not promise the message is stored (Kafka <c>PersistenceStatus.PossiblyPersisted</c>).</summary>
    NotConfirmed,
    /// <summary>The message is invalid for the transport (for example larger than the broker accepts).</summary>
    Invalid,
    /// <summary>The broker cannot be reached (down, unreachable, recovering its connection, or blocking publishers
    /// under a resource alarm). The message was not sent, or (Kafka, whose client queued it) timed out while every
    /// broker was down. Publishing it again with the same message id later is safe.</summary>
    BrokerUnavailable,
}
