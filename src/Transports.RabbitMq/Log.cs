using Microsoft.Extensions.Logging;

namespace Messaging.RabbitMq;

/// <summary>RabbitMQ transport log messages; EventIds 2000-2999. Bodies and credentials are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "RabbitMQ connection '{ClientName}' opened to {Broker}")]
    public static partial void Connected(ILogger logger, string clientName, string broker);

    [LoggerMessage(2001, LogLevel.Debug, "RabbitMQ connection to {Broker} lost ({ReplyCode} {ReplyText}); automatic recovery is on")]
    public static partial void ConnectionLost(ILogger logger, string broker, int replyCode, string replyText);

    [LoggerMessage(2002, LogLevel.Debug, "RabbitMQ connection to {Broker} recovered")]
    public static partial void ConnectionRecovered(ILogger logger, string broker);

    [LoggerMessage(2003, LogLevel.Information, "Declared {QueueType} queue {Queue} (dead-letter queue {DeadLetterQueue}) bound to [{Destinations}]")]
    public static partial void EndpointDeclared(ILogger logger, string queueType, string queue, string deadLetterQueue, string destinations);

    [LoggerMessage(2004, LogLevel.Information, "Consuming queue {Queue} with prefetch {Prefetch} and {Lanes} concurrent message(s)")]
    public static partial void ConsumerStarted(ILogger logger, string queue, int prefetch, int lanes);

    [LoggerMessage(2005, LogLevel.Information, "Stopped consuming queue {Queue}")]
    public static partial void ConsumerStopped(ILogger logger, string queue);

    [LoggerMessage(2006, LogLevel.Warning, "Consumer on queue {Queue} ended ({Reason}); consuming again")]
    public static partial void ConsumerRestarting(ILogger logger, string queue, string reason);


    [LoggerMessage(2008, LogLevel.Error, "Could not dead-letter message {MessageId} from {Source} (publish to the dead-letter queue or its record in the database failed); it stays unacknowledged and is redelivered")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string messageId, string source);

    [LoggerMessage(2009, LogLevel.Warning, "Could not acknowledge {Source}; the message will be redelivered (the inbox skips it)")]
    public static partial void AckFailed(ILogger logger, Exception exception, string source);

    [LoggerMessage(2010, LogLevel.Error, "Processing message {MessageId} from {Source} threw; it stays unacknowledged and is redelivered")]
    public static partial void ProcessorFailed(ILogger logger, Exception exception, string messageId, string source);

    [LoggerMessage(2011, LogLevel.Warning, "Publish channel closed ({ReplyCode} {ReplyText}); opening a new one")]
    public static partial void PublishChannelReplaced(ILogger logger, int replyCode, string replyText);

    [LoggerMessage(2012, LogLevel.Error, "Could not schedule the delayed retry ({DelayMs} ms) of message {MessageId} from {Source}; it stays unacknowledged and is redelivered")]
    public static partial void RetryLaterFailed(ILogger logger, Exception exception, string messageId, string source, long delayMs);

    [LoggerMessage(2013, LogLevel.Information, "Stopping queue {Queue}: waiting up to {GraceMs} ms for {InFlight} handler(s) in flight")]
    public static partial void Draining(ILogger logger, string queue, int inFlight, int graceMs);

    [LoggerMessage(2014, LogLevel.Warning, "Delivery from {Source}: header {Header} '{HeaderValue}' and property {Property} '{PropertyValue}' differ; the header is used (docs/wire-format.md)")]
    public static partial void HeaderPropertyConflict(ILogger logger, string source, string header, string headerValue, string property, string propertyValue);
}
