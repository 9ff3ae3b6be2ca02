namespace Messaging.Transport;

/// <summary>A received message with where it came from.</summary>
/// <param name="Envelope">The message as published.</param>
/// <param name="Source">Where it was consumed, for logs and dead-letter headers, for example
/// <c>queue orders delivery-tag 5</c> or <c>topic orders partition 2 offset 1041</c>.</param>
/// <param name="Redelivered">True when the broker says it delivered this message before (RabbitMQ
/// <c>redelivered</c> flag); false when unknown (Kafka).</param>
public sealed record IncomingMessage(Envelope Envelope, string Source, bool Redelivered);
