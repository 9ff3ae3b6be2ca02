using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>Kafka transport log messages; EventIds 3000-3999. Bodies and secrets are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "Messaging:Kafka:AllowWeakerDurability is true: acks={Acks}, enable.idempotence={Idempotence}; confirmed messages can be lost or duplicated when a broker fails")]
    public static partial void WeakerDurability(ILogger logger, string acks, bool idempotence);

    [LoggerMessage(3001, LogLevel.Information, "Kafka topic {Topic} created")]
    public static partial void TopicCreated(ILogger logger, string topic);

    [LoggerMessage(3002, LogLevel.Information, "Kafka consumer group {Group} subscribed to [{Topics}]")]
    public static partial void Subscribed(ILogger logger, string group, string topics);

    [LoggerMessage(3003, LogLevel.Information, "Kafka consumer group {Group}: partitions assigned [{Partitions}]")]
    public static partial void PartitionsAssigned(ILogger logger, string group, string partitions);

    [LoggerMessage(3004, LogLevel.Information, "Kafka consumer group {Group}: partitions revoked [{Partitions}]; {Outcome}")]
    public static partial void PartitionsRevoked(ILogger logger, string group, string partitions, string outcome);

    [LoggerMessage(3005, LogLevel.Warning, "Kafka consumer group {Group}: partitions lost [{Partitions}]; their unfinished messages will be redelivered")]
    public static partial void PartitionsLost(ILogger logger, string group, string partitions);

    [LoggerMessage(3006, LogLevel.Warning, "Kafka consumer group {Group}: commit failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, string group, string reason);

    [LoggerMessage(3007, LogLevel.Warning, "Kafka consumer group {Group}: consume error: {Reason}")]
    public static partial void ConsumeError(ILogger logger, string group, string reason);


    [LoggerMessage(3009, LogLevel.Warning, "Dead-letter publish of message {MessageId} from {Source} to {Topic} failed; retrying in {DelayMs} ms")]
    public static partial void DeadLetterPublishFailed(ILogger logger, Exception exception, string messageId, string source, string topic, int delayMs);

    [LoggerMessage(3025, LogLevel.Error, "Dead letter {MessageId} from {Source} is on its dead-letter topic but could not be recorded in the database; its offset waits, retrying in {DelayMs} ms")]
    public static partial void DeadLetterRecordFailed(ILogger logger, Exception exception, string messageId, string source, int delayMs);

    [LoggerMessage(3010, LogLevel.Error, "Processing message {MessageId} from {Source} threw unexpectedly; it is not skipped: it will be handled again in place in {DelayMs} ms")]
    public static partial void ProcessorFailed(ILogger logger, Exception exception, string messageId, string source, int delayMs);

    [LoggerMessage(3011, LogLevel.Warning, "Kafka consumer group {Group}: storing offset {Offset} failed: {Reason}")]
    public static partial void StoreOffsetFailed(ILogger logger, string group, string offset, string reason);

    [LoggerMessage(3012, LogLevel.Information, "Kafka consumer group {Group} stopped: stored offsets committed, group left")]
    public static partial void ConsumerStopped(ILogger logger, string group);

    [LoggerMessage(3013, LogLevel.Warning, "Kafka producer flush did not finish within {TimeoutMs} ms; {Pending} message(s) not delivered")]
    public static partial void FlushIncomplete(ILogger logger, int timeoutMs, int pending);

    [LoggerMessage(3014, LogLevel.Error, "Kafka client {Client} error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string client, string code, string reason);

    /// <summary>librdkafka's own log lines: warnings and worse as Warning (its errors also reach the error handler,
    /// logged as 3014), the rest as Debug.</summary>
    public static void Librdkafka(ILogger logger, string client, Confluent.Kafka.LogMessage message) =>
        ClientLog(logger, message.Level <= Confluent.Kafka.SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, client, message.Facility, message.Message);

    [LoggerMessage(EventId = 3015, Message = "librdkafka {Client} [{Facility}] {Message}")]
    public static partial void ClientLog(ILogger logger, LogLevel level, string client, string facility, string message);

    [LoggerMessage(3016, LogLevel.Critical, "Kafka consumer group {Group}: fatal error {Code}: {Reason}; the consumer stops")]
    public static partial void ConsumerFatal(ILogger logger, string group, string code, string reason);

    [LoggerMessage(3017, LogLevel.Information, "Kafka consumer group {Group}: partition {Partition} {Action} ({Why})")]
    public static partial void PartitionPausedOrResumed(ILogger logger, string group, string partition, string action, string why);

    [LoggerMessage(3018, LogLevel.Information, "Message {MessageId} from {Source} will be handled again in place in {DelayMs} ms (delayed retry {Retry}); its partition or key waits")]
    public static partial void RetryingInPlace(ILogger logger, string messageId, string source, long delayMs, int retry);


    [LoggerMessage(3020, LogLevel.Warning, "Kafka consumer group {Group}: committed offsets reset for replay: {Offsets}")]
    public static partial void OffsetsReset(ILogger logger, string group, string offsets);

    [LoggerMessage(3021, LogLevel.Error, "Kafka consumer group {Group}: records were deleted by the broker before this group handled them, so they will never be delivered to it; librdkafka moved the position to auto.offset.reset = earliest: {Detail}. Raise the topic's retention or consume faster; replay cannot bring them back")]
    public static partial void RecordsDeletedBeforeConsumed(ILogger logger, string group, string detail);

    [LoggerMessage(3023, LogLevel.Debug, "Kafka client {Client}: broker connection failed ({Code}): {Reason}")]
    public static partial void BrokerConnectionFailed(ILogger logger, string client, string code, string reason);

    [LoggerMessage(3022, LogLevel.Warning, "Record {Source}: key '{Key}' and partition-key header '{HeaderValue}' differ; the key is used, as Kafka partitions and orders by it (docs/wire-format.md)")]
    public static partial void PartitionKeyConflict(ILogger logger, string source, string key, string headerValue);

    [LoggerMessage(3024, LogLevel.Warning, "Kafka consumer group {Group}: {Action} of partition {Partition} failed: {Reason}")]
    public static partial void PauseOrResumeFailed(ILogger logger, string group, string partition, string action, string reason);
}
