namespace Messaging.Cli.Brokers;

/// <summary>
/// A broker's dead-letter queue or topic as the CLI uses it: read what is there (held, not removed), then remove the
/// messages that were re-driven (after their outbox rows committed) or discarded. Whatever is not removed stays: disposing
/// gives it back (RabbitMQ requeues what was not acked; Kafka's CLI consumer group commits only what was removed).
/// </summary>
internal interface IBrokerDeadLetters : IAsyncDisposable
{
    /// <summary>Where it reads, without credentials: <c>rabbitmq 127.0.0.1:5672 queue orders.dlq</c>.</summary>
    string Describe { get; }

    /// <summary>Reads up to <paramref name="limit"/> dead letters, oldest first, holding them.</summary>
    Task<IReadOnlyList<BrokerDeadLetter>> ReadAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Of <paramref name="read"/>, those not in <paramref name="removing"/> that stop its removal (Kafka: an earlier
    /// record of the same partition, since a consumer group commits a position); empty on RabbitMQ.</summary>
    IReadOnlyList<BrokerDeadLetter> HeldBack(IReadOnlyList<BrokerDeadLetter> read, IReadOnlyList<BrokerDeadLetter> removing);

    /// <summary>Removes <paramref name="done"/> from the queue or topic; returns a note on what stays, or null.</summary>
    Task<string?> RemoveAsync(IReadOnlyList<BrokerDeadLetter> done, CancellationToken cancellationToken);
}
