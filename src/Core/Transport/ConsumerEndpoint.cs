namespace Messaging.Transport;

/// <summary>
/// One place messages are consumed from: a RabbitMQ queue bound to exchanges, or a Kafka consumer group
/// subscribed to topics.
/// </summary>
/// <param name="Name">Queue name (RabbitMQ) or consumer group id (Kafka); the dead-letter destination derives from it.</param>
/// <param name="Destinations">Exchanges (RabbitMQ) or topics (Kafka) the endpoint listens to; at least one.</param>
public sealed record ConsumerEndpoint(string Name, IReadOnlyList<string> Destinations)
{
    /// <summary>The RabbitMQ dead-letter queue name for this endpoint: <c>&lt;name&gt;.dlq</c>.</summary>
    public string DeadLetterQueue => Name + ".dlq";

    /// <summary>The Kafka dead-letter topic for a topic: <c>&lt;topic&gt;.dlq</c>.</summary>
    /// <param name="topic">The topic the message was consumed from.</param>
    /// <returns>The dead-letter topic name.</returns>
    public static string DeadLetterTopic(string topic) => topic + ".dlq";
}
