using Microsoft.Extensions.Logging;

namespace Messaging;

/// <summary>Core log messages; EventIds 1000-1999. Bodies and secrets are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Messaging transport {Transport} ready: {EndpointCount} endpoint(s) listening to [{Destinations}]")]
    public static partial void TransportReady(ILogger logger, string transport, int endpointCount, string destinations);

    [LoggerMessage(1001, LogLevel.Warning, "Handler {Handler} failed for message {MessageId} (attempt {Attempt} of {MaxAttempts}); retrying")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, string messageId, int attempt, int maxAttempts);

    [LoggerMessage(1003, LogLevel.Warning, "Message {MessageId} from {Source} will be delivered again in {DelayMs} ms (delayed retry {Retry}): {Reason}")]
    public static partial void RetryingLater(ILogger logger, string messageId, string source, long delayMs, int retry, string reason);

    [LoggerMessage(1002, LogLevel.Error, "Dead-lettering message {MessageId} of type {MessageType} from {Source}: {Reason}")]
    public static partial void DeadLettering(ILogger logger, string messageId, string messageType, string source, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Messaging transport {Transport} cannot reach its broker: {Reason}. Outbox rows wait (their attempts are not counted), direct publishes fail with BrokerUnavailable, consumers resume when it is back")]
    public static partial void TransportUnavailable(ILogger logger, string transport, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "Messaging transport {Transport} still cannot reach its broker after {Seconds} s ({Reports} failed attempts): {Reason}")]
    public static partial void TransportStillUnavailable(ILogger logger, string transport, long seconds, long reports, string reason);

    [LoggerMessage(1006, LogLevel.Information, "Messaging transport {Transport} reaches its broker again after {DownMs} ms (outage: {Reason})")]
    public static partial void TransportAvailable(ILogger logger, string transport, long downMs, string reason);

    [LoggerMessage(1007, LogLevel.Critical, "Messaging transport {Transport} can never work with this configuration; the host stops: {Reason}")]
    public static partial void TransportCannotWork(ILogger logger, string transport, string reason);

    [LoggerMessage(1012, LogLevel.Critical, "Messaging cannot start: {Reason} (exit code {ExitCode})")]
    public static partial void CannotStart(ILogger logger, string reason, int exitCode);

    [LoggerMessage(1008, LogLevel.Warning, "Messaging transport {Transport} is not reachable at start-up; the host starts degraded (Messaging:StartupMode = Degraded): the outbox accepts writes, and the consumers start when the broker answers")]
    public static partial void StartingDegraded(ILogger logger, string transport);

    [LoggerMessage(1010, LogLevel.Information, "Endpoint {Endpoint} on {Transport} ({Role}): {Guarantees}")]
    public static partial void EndpointGuarantees(ILogger logger, string endpoint, string transport, string role, string guarantees);

    [LoggerMessage(1011, LogLevel.Information, "Skipping messages of type {MessageType} on {Destination}: {Reason} (Messaging:UnhandledMessages = Skip). They are acknowledged unhandled and counted in messaging.process.skipped; this line is written once per type")]
    public static partial void SkippingUnhandled(ILogger logger, string messageType, string destination, string reason);

    [LoggerMessage(1013, LogLevel.Warning, "Messaging transport {Transport}, endpoint {Endpoint}: {Condition}: {Problem}")]
    public static partial void ConsumersNotConsuming(ILogger logger, string transport, string endpoint, string condition, string problem);

    [LoggerMessage(1014, LogLevel.Information, "Messaging transport {Transport}, endpoint {Endpoint}: consuming again")]
    public static partial void ConsumersConsumingAgain(ILogger logger, string transport, string endpoint);

    [LoggerMessage(1009, LogLevel.Warning, "Could not record the redelivery of message {MessageId} in the delivery ledger; poison detection uses the broker's count ({DeliveryCount}) for it")]
    public static partial void DeliveryLedgerFailed(ILogger logger, Exception exception, string messageId, int deliveryCount);
}
