namespace Messaging.Transport;

/// <summary>
/// Records a dead letter beside the broker's dead-letter queue or topic (the EF Core outbox package records it in the
/// application's database, table <c>messaging_dead_letters</c>). A transport calls it after the broker confirmed the
/// dead-letter copy and before it acknowledges the message, so the two agree: when recording fails, the message is not
/// acknowledged (RabbitMQ nack with requeue, Kafka retries in place) and is dead-lettered again, which records it then.
/// </summary>
public interface IDeadLetterRecorder
{
    /// <summary>Records the dead letter; a message already recorded by this endpoint becomes a new failure of its row.</summary>
    /// <param name="deadLetter">What was parked, why and where.</param>
    /// <param name="cancellationToken">Cancels the database round trip.</param>
    /// <exception cref="Exception">The store failed; the transport must not acknowledge the message.</exception>
    Task RecordAsync(DeadLetterEntry deadLetter, CancellationToken cancellationToken);
}

/// <summary>One dead-lettered message as a transport parked it.</summary>
/// <param name="Envelope">The message (partly empty when its envelope could not be read).</param>
/// <param name="Reason">Why it was parked (handler, failure site and fingerprint included).</param>
/// <param name="Transport">The transport's name: <c>RabbitMq</c>, <c>Kafka</c>, <c>InMemory</c>.</param>
/// <param name="Endpoint">The consuming endpoint (queue, consumer group).</param>
/// <param name="Source">Where it was consumed: <c>queue q delivery-tag n</c> or <c>topic t partition p offset o</c>.</param>
/// <param name="DeadLetterDestination">Where the broker copy went: <c>&lt;endpoint&gt;.dlq</c> or <c>&lt;topic&gt;.dlq</c>.</param>
/// <param name="Time">When it was parked (UTC).</param>
public sealed record DeadLetterEntry(Envelope Envelope, DeadLetterReason Reason, string Transport, string Endpoint, string Source,
    string DeadLetterDestination, DateTimeOffset Time);
