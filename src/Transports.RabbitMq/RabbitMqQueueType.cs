namespace Messaging.RabbitMq;

/// <summary>The RabbitMQ queue type (<c>x-queue-type</c>) of endpoint and dead-letter queues.</summary>
public enum RabbitMqQueueType
{
    /// <summary>Replicated Raft queue (<c>quorum</c>): the durable choice, survives the loss of a minority of nodes.</summary>
    Quorum,
    /// <summary>Classic queue (<c>classic</c>), durable, on one node.</summary>
    Classic,
}
