namespace Messaging.Publishing;

/// <summary>Why a publish was not confirmed by the broker.</summary>
public enum PublishFailure
{
    /// <summary>The broker refused the message (RabbitMQ <c>basic.nack</c>, a Kafka delivery error).</summary>
    Rejected,
    /// <summary>No queue or partition took the message (RabbitMQ <c>basic.return</c> of a <c>mandatory</c> publish).</summary>
    Unroutable,
    /// <summary>No confirmation arrived within the configured bound; the message may or may not be stored.</summary>
    Timeout,
    /// <summary>The connection or channel closed before the confirmation arrived; the message may or may not be stored.</summary>
    ConnectionLost,
    /// <summary>The broker could not promise the message is stored (Kafka <c>PersistenceStatus.PossiblyPersisted</c>).</summary>
    NotConfirmed,
    /// <summary>The message is invalid for the transport (for example larger than the broker accepts).</summary>
    Invalid,
}
