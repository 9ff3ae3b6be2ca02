namespace Messaging.Transport;

/// <summary>Optional transport features, as flags.</summary>
[Flags]
public enum TransportCapabilities
{
    /// <summary>Only the base contract.</summary>
    None = 0,
    /// <summary>A publish to a destination nothing is bound to throws <see cref="Publishing.PublishFailure.Unroutable"/>
    /// (RabbitMQ <c>mandatory</c>); Kafka instead stores the record in the topic.</summary>
    UnroutableDetection = 1,
    /// <summary>Messages survive a broker restart (RabbitMQ persistent delivery, Kafka log).</summary>
    Durable = 2,
    /// <summary>Consumed messages can be read again from an offset or time (Kafka).</summary>
    Replay = 4,
    /// <summary>Honours <see cref="ProcessingStatus.RetryLater"/>: delivers the message again after a delay with
    /// <see cref="IncomingMessage.DelayedRetries"/> one higher. Required when <c>Messaging:Retry:DelayedRetryDelaysMs</c> is set.</summary>
    DelayedRetry = 8,
}
