namespace Messaging.Transport;

/// <summary>A received message with where it came from.</summary>
/// <param name="Envelope">The message as published (as much of it as could be read, when <see cref="Unreadable"/> is set).</param>
/// <param name="Source">Where it was consumed, for logs and dead-letter headers, for example
/// <c>queue orders delivery-tag 5</c> or <c>topic orders partition 2 offset 1041</c>.</param>
/// <param name="Redelivered">True when the broker says it delivered this message before (RabbitMQ
/// <c>redelivered</c> flag); false when unknown (Kafka).</param>
public sealed record IncomingMessage(Envelope Envelope, string Source, bool Redelivered)
{
    /// <summary>How many times the broker has delivered this message, this delivery included (RabbitMQ quorum
    /// <c>x-delivery-count</c> + 1); 0 when the broker does not say. Drives poison detection
    /// (<see cref="Handling.RetryOptions.MaxDeliveries"/>).</summary>
    public int DeliveryCount { get; init; }

    /// <summary>Why the transport could not read the message's envelope (no message id, a header that cannot be read
    /// for its field), naming the header; null when it could. The pipeline dead-letters such a message at once, as it
    /// arrived, with this reason, and never runs a handler on it.</summary>
    public string? Unreadable { get; init; }

    /// <summary>Delayed retries this message has already had (<see cref="HeaderNames.RetryCount"/>); 0 at first.</summary>
    public int DelayedRetries { get; init; }
}
