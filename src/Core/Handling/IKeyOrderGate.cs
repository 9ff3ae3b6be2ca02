using Messaging.Transport;

namespace Messaging.Handling;

/// <summary>
/// Keeps the order of a partition key across dead letters (key-ordered dead-lettering): while a message of key K is
/// dead-lettered and neither re-driven nor discarded, the endpoint's later messages of K are held behind it instead of
/// handled, and they are released in their original order, each handled once, once it is. The EF Core outbox package
/// implements it on its dead-letters table (<c>Messaging:Outbox:KeyOrderedDeadLetters</c>). The pipeline asks it before
/// any handler runs, and only for messages with a partition key; without one registered, other keys' order is not
/// affected and a dead-lettered message simply leaves its key's stream.
/// </summary>
public interface IKeyOrderGate
{
    /// <summary>Decides whether a keyed message may be handled now. A message to hold is recorded durably as held before
    /// this returns, so the transport may acknowledge it at once (it reaches the handlers when it is released).</summary>
    /// <param name="endpoint">The consuming endpoint (queue, consumer group).</param>
    /// <param name="message">The received message; its <see cref="Envelope.PartitionKey"/> is not empty.</param>
    /// <param name="cancellationToken">Cancels the database round trips.</param>
    /// <returns>What the pipeline does with the message.</returns>
    /// <exception cref="Exception">The store failed: the pipeline lets it propagate, so the transport does not acknowledge
    /// the message and it comes again (RabbitMQ nack with requeue, Kafka retried in place).</exception>
    Task<KeyOrderDecision> EnterAsync(string endpoint, IncomingMessage message, CancellationToken cancellationToken);

    /// <summary>Called once every handler of a message that <see cref="EnterAsync"/> answered
    /// <see cref="KeyOrderDecision.HandleReleased"/> for has finished (the pipeline acknowledges it): marks it done and,
    /// when it was the last of its key in flight, releases the messages held behind it.</summary>
    /// <param name="endpoint">The consuming endpoint.</param>
    /// <param name="message">The message that was handled.</param>
    /// <param name="cancellationToken">Cancels the database round trips.</param>
    /// <returns>A task that completes when the release is stored.</returns>
    /// <exception cref="Exception">The store failed: the message is not acknowledged and comes again; its handlers skip it
    /// by their inbox rows and the release is tried again.</exception>
    Task ReleasedAsync(string endpoint, IncomingMessage message, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IKeyOrderGate.EnterAsync"/> decided for a keyed message.</summary>
public enum KeyOrderDecision
{
    /// <summary>Its key has nothing dead-lettered before it: handle it as usual.</summary>
    Handle,
    /// <summary>It is the next message its key releases (a re-driven head, or a held message whose turn came): handle it,
    /// then call <see cref="IKeyOrderGate.ReleasedAsync"/> once it is handled.</summary>
    HandleReleased,
    /// <summary>An earlier message of its key is dead-lettered or held: it was recorded as held; acknowledge it without
    /// running any handler.</summary>
    Held,
}
