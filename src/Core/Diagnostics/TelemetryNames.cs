namespace Messaging.Diagnostics;

/// <summary>
/// Every telemetry name the library emits, after the OpenTelemetry messaging semantic conventions.
/// Subscribe with an OpenTelemetry SDK (<c>AddSource</c>/<c>AddMeter</c> with <see cref="SourceName"/>)
/// or any <see cref="System.Diagnostics.ActivityListener"/> / <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The <c>ActivitySource</c> and <c>Meter</c> name.</summary>
    public const string SourceName = "Messaging";
    /// <summary>Counter: messages confirmed by the broker (count).</summary>
    public const string SentMessages = "messaging.client.sent.messages";
    /// <summary>Counter: messages received and processed (count), with <c>messaging.operation.result</c>.</summary>
    public const string ConsumedMessages = "messaging.client.consumed.messages";
    /// <summary>Histogram: handler processing time (seconds).</summary>
    public const string ProcessDuration = "messaging.process.duration";
    /// <summary>Attribute: the transport (<c>rabbitmq</c>, <c>kafka</c>, <c>inmemory</c>).</summary>
    public const string System = "messaging.system";
    /// <summary>Attribute: topic or exchange.</summary>
    public const string DestinationName = "messaging.destination.name";
    /// <summary>Attribute: the message id.</summary>
    public const string MessageId = "messaging.message.id";
    /// <summary>Attribute: the consumer group or queue.</summary>
    public const string ConsumerGroup = "messaging.consumer.group.name";
    /// <summary>Attribute: outcome of processing: <c>ack</c>, <c>retry</c>, <c>dead_letter</c>, <c>skipped</c>.</summary>
    public const string Result = "messaging.operation.result";
    /// <summary>Histogram: time from handing a message to the transport until the broker confirmed or refused it
    /// (seconds; for a pipelined batch, until the whole batch was answered), with <see cref="System"/>,
    /// <see cref="DestinationName"/>, <see cref="OperationName"/> <c>send</c> and, when it failed, <see cref="ErrorType"/>.</summary>
    public const string OperationDuration = "messaging.client.operation.duration";
    /// <summary>Attribute: the operation, <c>send</c>.</summary>
    public const string OperationName = "messaging.operation.name";
    /// <summary>Attribute: why an operation failed: a <see cref="Publishing.PublishFailure"/> name for a publish; for a
    /// dead letter the exception's full type name, or its <see cref="DeadLetterReasonKind"/> when no exception was thrown.</summary>
    public const string ErrorType = "error.type";
    /// <summary>Counter: failed handler attempts that were retried (count), with <see cref="DestinationName"/>,
    /// <see cref="ConsumerGroup"/> and <see cref="RetryKind"/>.</summary>
    public const string Retries = "messaging.process.retries";
    /// <summary>Attribute: <c>immediate</c> (in process, with backoff) or <c>delayed</c> (the message delivered again later).</summary>
    public const string RetryKind = "messaging.retry.kind";
    /// <summary>Counter: messages dead-lettered (count), with <see cref="DestinationName"/>, <see cref="ConsumerGroup"/>,
    /// <see cref="DeadLetterReasonKind"/> and <see cref="ErrorType"/>.</summary>
    public const string DeadLettered = "messaging.process.dead_lettered";
    /// <summary>Counter: messages acknowledged without being handled because this endpoint has no handler for them and
    /// <c>Messaging:UnhandledMessages</c> is <c>Skip</c> (count), with <see cref="DestinationName"/>, <see cref="ConsumerGroup"/>
    /// and <see cref="DeadLetterReasonKind"/> (<c>unknown_type</c> or <c>no_handler</c>).</summary>
    public const string Skipped = "messaging.process.skipped";
    /// <summary>Attribute: the kind of dead-letter reason: <c>handler_failed</c>, <c>unreadable</c>, <c>too_large</c>,
    /// <c>unknown_type</c>, <c>no_handler</c>, <c>undeserializable</c>, <c>poison</c>.</summary>
    public const string DeadLetterReasonKind = "messaging.dead_letter.reason";
    /// <summary>Counter: handler executions the inbox skipped because it had recorded the message id for the handler
    /// already (count), with <see cref="ConsumerGroup"/> and <see cref="HandlerName"/>.</summary>
    public const string DuplicatesSkipped = "messaging.inbox.duplicates_skipped";
    /// <summary>Attribute: the handler's stable name.</summary>
    public const string HandlerName = "messaging.handler.name";
    /// <summary>Observable gauge: outbox rows waiting to be published (count), refreshed by the dispatcher at most every
    /// 5 s (one indexed query), reported per dispatcher.</summary>
    public const string OutboxPending = "messaging.outbox.pending";
    /// <summary>Observable gauge: age of the oldest Pending outbox row (seconds; 0 when none), from the same refresh,
    /// growing between refreshes.</summary>
    public const string OutboxOldestPendingAge = "messaging.outbox.oldest_pending.age";
    /// <summary>Histogram: rows claimed per dispatcher round that found any, or per flush on commit (count).</summary>
    public const string OutboxBatchSize = "messaging.outbox.dispatch.batch.size";
    /// <summary>Histogram: one dispatcher round that found rows, or one flush on commit, until the broker answered for every
    /// row (seconds).</summary>
    public const string OutboxDispatchDuration = "messaging.outbox.dispatch.duration";
}
