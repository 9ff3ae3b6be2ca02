namespace Messaging;

/// <summary>
/// Names of the headers the library writes. Envelope fields travel in these headers on Kafka (record
/// headers) and on RabbitMQ (message headers, next to the basic properties). Dead-letter headers are
/// added when a message is parked, to say why.
/// </summary>
public static class HeaderNames
{
    /// <summary>The producer-created message id.</summary>
    public const string MessageId = "message-id";
    /// <summary>The logical message type name.</summary>
    public const string MessageType = "message-type";
    /// <summary>The correlation id.</summary>
    public const string CorrelationId = "correlation-id";
    /// <summary>The causation id.</summary>
    public const string CausationId = "causation-id";
    /// <summary>The partition key (also the Kafka record key).</summary>
    public const string PartitionKey = "partition-key";
    /// <summary>The content type of the body.</summary>
    public const string ContentType = "content-type";
    /// <summary>The producer timestamp, Unix time in milliseconds as a decimal string.</summary>
    public const string Timestamp = "timestamp";
    /// <summary>The original destination (topic or exchange) of the message.</summary>
    public const string Destination = "destination";
    /// <summary>W3C trace context (<c>traceparent</c>), for distributed tracing.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Delayed retries this message has had so far, as a decimal count; absent on a first delivery.</summary>
    public const string RetryCount = "retry-count";

    /// <summary>Dead-letter: a one-line human-readable reason.</summary>
    public const string DeadLetterReason = "dead-letter-reason";
    /// <summary>Dead-letter: the full type name of the exception that made the last attempt fail, if any.</summary>
    public const string DeadLetterExceptionType = "dead-letter-exception-type";
    /// <summary>Dead-letter: the exception message of the last attempt, if any.</summary>
    public const string DeadLetterExceptionMessage = "dead-letter-exception-message";
    /// <summary>Dead-letter: the destination (topic or exchange) the message was published to.</summary>
    public const string DeadLetterOriginalDestination = "dead-letter-original-destination";
    /// <summary>Dead-letter: where it was consumed from (queue and delivery tag, or topic, partition and offset).</summary>
    public const string DeadLetterSource = "dead-letter-source";
    /// <summary>Dead-letter: handling attempts made, as a decimal count.</summary>
    public const string DeadLetterAttempts = "dead-letter-attempts";
    /// <summary>Dead-letter: when it was parked, ISO 8601 UTC.</summary>
    public const string DeadLetterTime = "dead-letter-time";
}
