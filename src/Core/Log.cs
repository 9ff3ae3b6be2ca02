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
}
