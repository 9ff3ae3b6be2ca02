namespace Messaging;

/// <summary>
/// Names of the headers the library writes: the public wire contract that services in other languages rely on
/// (docs/wire-format.md). Envelope fields travel in these headers on Kafka (record headers) and on RabbitMQ
/// (message headers, next to the basic properties). Every value is UTF-8 text (an AMQP long string on RabbitMQ).
/// Dead-letter headers are added when a message is parked, to say why.
/// </summary>
/// <remarks>
/// Reading follows the same document: a header value that cannot be read for its field (bytes that are not UTF-8,
/// a table where an id belongs) dead-letters the message with a reason naming the header. On RabbitMQ a header
/// wins over the basic property of the same field (<c>message_id</c>, <c>type</c>, <c>correlation_id</c>,
/// <c>content_type</c>, <c>timestamp</c>), which alone is also enough; on Kafka the record key wins over
/// <see cref="PartitionKey"/>.
/// </remarks>
public static class HeaderNames
{
    /// <summary>The producer-created message id: the inbox key, required (on RabbitMQ the <c>message_id</c> property may
    /// carry it instead). An integer header value is read as its decimal text.</summary>
    public const string MessageId = "message-id";
    /// <summary>The message type name: <c>Map&lt;T&gt;(name:)</c>, else the .NET full name; required (on RabbitMQ the
    /// <c>type</c> property may carry it instead).</summary>
    public const string MessageType = "message-type";
    /// <summary>The correlation id; optional (RabbitMQ property <c>correlation_id</c>).</summary>
    public const string CorrelationId = "correlation-id";
    /// <summary>The causation id: the message id of the message whose handling caused this one; optional.</summary>
    public const string CausationId = "causation-id";
    /// <summary>The partition key, which orders messages; optional. On Kafka the record key carries it and wins.</summary>
    public const string PartitionKey = "partition-key";
    /// <summary>The content type of the body (RabbitMQ property <c>content_type</c>); <c>application/json</c> by default.</summary>
    public const string ContentType = "content-type";
    /// <summary>The producer timestamp, Unix time in milliseconds as a decimal string; optional (else the AMQP
    /// <c>timestamp</c> property in seconds, or the Kafka record timestamp).</summary>
    public const string Timestamp = "timestamp";
    /// <summary>The original destination (topic or exchange) of the message; optional (else where it arrived).</summary>
    public const string Destination = "destination";
    /// <summary>W3C trace context (<c>traceparent</c>), for distributed tracing.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Delayed retries this message has had so far, as a decimal count; absent on a first delivery. Written on
    /// copies in RabbitMQ retry queues.</summary>
    public const string RetryCount = "retry-count";

    /// <summary>What every dead-letter header's name starts with: <c>dead-letter-</c>. A re-drive drops them all.</summary>
    public const string DeadLetterPrefix = "dead-letter-";
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
    /// <summary>Dead-letter: the stable name of the handler that failed; absent when no handler ran.</summary>
    public const string DeadLetterHandler = "dead-letter-handler";
    /// <summary>Dead-letter: the first stack frame of application code, <c>Namespace.Type.Method</c>; absent when no
    /// handler ran.</summary>
    public const string DeadLetterFailureSite = "dead-letter-failure-site";
    /// <summary>Dead-letter: the failure group, 12 hex characters; messages that failed the same way (exception type and
    /// failure site) share it.</summary>
    public const string DeadLetterFingerprint = "dead-letter-fingerprint";
}
