using Microsoft.Extensions.Logging;

namespace Messaging.Outbox;

/// <summary>Outbox and inbox log messages; EventIds 4000-4999. Bodies and secrets are never logged.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(4000, LogLevel.Information, "Outbox dispatcher started for {Context} on transport {Transport}: batch size {BatchSize}, poll interval {PollIntervalMs} ms")]
    public static partial void DispatcherStarted(ILogger logger, string context, string transport, int batchSize, int pollIntervalMs);

    [LoggerMessage(4001, LogLevel.Debug, "Outbox dispatched {Sent} message(s) confirmed, {Unconfirmed} unconfirmed, of {Read} pending")]
    public static partial void BatchDispatched(ILogger logger, int sent, int unconfirmed, int read);

    [LoggerMessage(4002, LogLevel.Warning, "Outbox message {MessageId} (row {RowId}) to '{Destination}' was not confirmed (attempt {Attempt} of {MaxAttempts}): {Error}")]
    public static partial void RowUnconfirmed(ILogger logger, string messageId, long rowId, string destination, int attempt, int maxAttempts, string error);

    [LoggerMessage(4003, LogLevel.Error, "Outbox message {MessageId} (row {RowId}) to '{Destination}' marked Failed after {Attempts} unconfirmed attempt(s); it will not be sent again: {Error}")]
    public static partial void RowFailed(ILogger logger, string messageId, long rowId, string destination, int attempts, string error);

    [LoggerMessage(4004, LogLevel.Warning, "Outbox dispatch round failed ({Failures} in a row); retrying in {DelayMs} ms")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, int failures, long delayMs);

    [LoggerMessage(4005, LogLevel.Information, "Outbox dispatcher for {Context} stopped")]
    public static partial void DispatcherStopped(ILogger logger, string context);

    [LoggerMessage(4100, LogLevel.Debug, "Inbox: message {MessageId} already handled by {Handler}; skipped")]
    public static partial void DuplicateSkipped(ILogger logger, string messageId, string handler);

    [LoggerMessage(4101, LogLevel.Information, "Inbox: message {MessageId} was handled by {Handler} concurrently elsewhere; this execution rolled back and skipped")]
    public static partial void ConcurrentDuplicateSkipped(ILogger logger, string messageId, string handler);

    [LoggerMessage(4102, LogLevel.Warning, "Inbox: rollback for message {MessageId} in {Handler} failed; the transaction is abandoned")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, string messageId, string handler);
}
