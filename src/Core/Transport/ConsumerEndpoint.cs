namespace Messaging.Transport;

/// <summary>
/// One place messages are consumed from: a RabbitMQ queue bound to exchanges, or a Kafka consumer group
/// subscribed to topics. Where its dead letters go is the transport's business (RabbitMQ <c>&lt;name&gt;.dlq</c>,
/// Kafka <c>&lt;topic&gt;</c> + <c>Messaging:Kafka:DeadLetterTopicSuffix</c>).
/// </summary>
/// <param name="Name">Queue name (RabbitMQ) or consumer group id (Kafka).</param>
/// <param name="Destinations">Exchanges (RabbitMQ) or topics (Kafka) the endpoint listens to; at least one.</param>
public sealed record ConsumerEndpoint(string Name, IReadOnlyList<string> Destinations);
