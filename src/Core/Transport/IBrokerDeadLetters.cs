namespace Messaging.Transport;

/// <summary>
/// A broker's dead-letter queue or topic as an operator works on it: read what is there (held, not removed), then remove
/// the copies that were re-driven (after their outbox rows committed) or discarded. Whatever is not removed stays:
/// disposing gives it back (RabbitMQ requeues what was not acked; on Kafka the reader's consumer group commits only what
/// was removed). Not thread-safe: one reader per operation.
/// </summary>
public interface IBrokerDeadLetters : IAsyncDisposable
{
    /// <summary>Where it reads, without credentials, for example <c>rabbitmq 127.0.0.1:5672 queue orders.dlq</c>.</summary>
    string Describe { get; }

    /// <summary>The transport the copies were consumed on: <c>RabbitMq</c>, <c>Kafka</c>.</summary>
    string Transport { get; }

    /// <summary>The consuming endpoint whose dead letters these are (queue, consumer group).</summary>
    string Endpoint { get; }

    /// <summary>The dead-letter queue or topic read.</summary>
    string DeadLetterDestination { get; }

    /// <summary>Reads up to <paramref name="limit"/> copies, oldest first, holding them.</summary>
    /// <param name="limit">Most copies read (count, at least 1).</param>
    /// <param name="cancellationToken">Cancels the read; what was read stays held until disposal.</param>
    /// <returns>The copies; empty when the queue or topic is empty.</returns>
    /// <exception cref="MessagingException">The queue or topic does not exist, or the reader could not take it.</exception>
    Task<IReadOnlyList<DeadLetterCopy>> ReadAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Of <paramref name="read"/>, those not in <paramref name="removing"/> that stop its removal (Kafka: an earlier
    /// record of the same partition, since a consumer group commits a position); empty on RabbitMQ.</summary>
    /// <param name="read">What <see cref="ReadAsync"/> returned.</param>
    /// <param name="removing">The copies about to be removed.</param>
    /// <returns>The copies that hold others back.</returns>
    IReadOnlyList<DeadLetterCopy> HeldBack(IReadOnlyList<DeadLetterCopy> read, IReadOnlyList<DeadLetterCopy> removing);

    /// <summary>Removes <paramref name="done"/> from the queue or topic (RabbitMQ: acks them; Kafka: commits up to the first
    /// record of each partition not removed).</summary>
    /// <param name="done">Copies read by this reader that were re-driven or discarded.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A note on what stays (for the person), or null when everything asked was removed.</returns>
    Task<string?> RemoveAsync(IReadOnlyList<DeadLetterCopy> done, CancellationToken cancellationToken);
}

/// <summary>A copy read from a broker's dead-letter queue or topic and held by its reader.</summary>
/// <param name="Envelope">Its envelope as far as it could be read (an empty message id when it could not).</param>
/// <param name="Headers">Its headers as text, the <c>dead-letter-*</c> ones included (docs/wire-format.md, "Dead letters").</param>
/// <param name="Position">For a person: <c>delivery-tag 3</c>, or <c>partition 0 offset 17</c>.</param>
/// <param name="Handle">What the reader needs to remove it (a delivery tag, a partition and offset); opaque to callers.</param>
public sealed record DeadLetterCopy(Envelope Envelope, IReadOnlyDictionary<string, string> Headers, string Position, object Handle);
