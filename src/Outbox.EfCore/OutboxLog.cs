using Microsoft.Extensions.Logging;

namespace Messaging.Outbox;

/// <summary>Outbox and inbox log messages; EventIds 4000-4999. Bodies and secrets are never logged.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(4000, LogLevel.Information, "Outbox dispatcher {Owner} started for {Context}: batch size {BatchSize}, poll interval {PollIntervalMs} ms")]
    public static partial void DispatcherStarted(ILogger logger, string context, string owner, int batchSize, int pollIntervalMs);

    [LoggerMessage(4001, LogLevel.Debug, "Outbox dispatched {Sent} message(s) confirmed, {Unconfirmed} unconfirmed, {Deferred} held back, of {Claimed} claimed")]
    public static partial void BatchDispatched(ILogger logger, int sent, int unconfirmed, int deferred, int claimed);

    [LoggerMessage(4002, LogLevel.Warning, "Outbox: {Count} row(s) to '{Destination}' not confirmed ({Kind}); attempt {MinAttempt}..{MaxAttempt} of {MaxAttempts}, tried again after a backoff; rows {RowIds}: {Error}")]
    public static partial void RowsUnconfirmed(ILogger logger, int count, string destination, string kind, int minAttempt, int maxAttempt, int maxAttempts, string rowIds, string error);

    [LoggerMessage(4003, LogLevel.Error, "Outbox: {Count} row(s) to '{Destination}' marked Failed ({Kind}); they are not sent again until retried (status back to Pending); rows {RowIds}: {Error}")]
    public static partial void RowsFailed(ILogger logger, int count, string destination, string kind, string rowIds, string error);

    [LoggerMessage(4004, LogLevel.Warning, "Outbox dispatch round failed ({Failures} in a row); retrying in {DelayMs} ms")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, int failures, long delayMs);

    [LoggerMessage(4005, LogLevel.Information, "Outbox dispatcher for {Context} stopped")]
    public static partial void DispatcherStopped(ILogger logger, string context);

    [LoggerMessage(4006, LogLevel.Information, "Outbox retention deleted {Count} Sent row(s) older than {RetentionMs} ms")]
    public static partial void SentRowsDeleted(ILogger logger, long count, long retentionMs);

    [LoggerMessage(4007, LogLevel.Information, "Inbox retention deleted {Count} row(s) older than {RetentionMs} ms")]
    public static partial void InboxRowsDeleted(ILogger logger, long count, long retentionMs);

    [LoggerMessage(4008, LogLevel.Warning, "Messaging:Outbox:UseListenNotify is set but the database provider is {Provider}, not PostgreSQL; the dispatcher polls")]
    public static partial void ListenNotifyIgnored(ILogger logger, string provider);

    [LoggerMessage(4009, LogLevel.Warning, "Outbox LISTEN connection failed; reconnecting in {DelayMs} ms (polling meanwhile)")]
    public static partial void ListenFailed(ILogger logger, Exception exception, long delayMs);

    [LoggerMessage(4010, LogLevel.Warning, "Outbox: recording the last round's outcome failed while stopping; its rows are sent again once their lease runs out")]
    public static partial void LastRecordFailed(ILogger logger, Exception exception);

    [LoggerMessage(4011, LogLevel.Warning, "Outbox pauses publishing through {Transport}: {Reason}. Its rows stay Pending without spending attempts; one row at a time probes the broker")]
    public static partial void TransportPaused(ILogger logger, string transport, string reason);

    [LoggerMessage(4012, LogLevel.Warning, "Outbox still paused for {Transport} after {Seconds} s; {Pending} row(s) waiting: {Reason}")]
    public static partial void TransportStillPaused(ILogger logger, string transport, long seconds, int pending, string reason);

    [LoggerMessage(4013, LogLevel.Information, "Outbox resumes publishing through {Transport} after {Seconds} s paused; {Pending} row(s) waited")]
    public static partial void TransportResumed(ILogger logger, string transport, long seconds, int pending);

    [LoggerMessage(4014, LogLevel.Warning, "Outbox: {Pending} Pending row(s) name transport {Transport}, which this host does not use (it sends through {Used}); they wait for a host that does. If that transport is gone for good, move them: messaging outbox retarget --from {Transport} --to <transport>")]
    public static partial void RowsOfOtherTransport(ILogger logger, long pending, string transport, string used);

    [LoggerMessage(4015, LogLevel.Warning, "Outbox: publishing {Count} row(s) right after their commit failed; the dispatcher sends them once their lease runs out (at most {LeaseMs} ms)")]
    public static partial void FlushFailed(ILogger logger, Exception exception, int count, int leaseMs);

    [LoggerMessage(4100, LogLevel.Debug, "Inbox: message {MessageId} already handled by {Handler}; skipped")]
    public static partial void DuplicateSkipped(ILogger logger, string messageId, string handler);

    [LoggerMessage(4103, LogLevel.Warning, "Inbox: a batch of {Count} handled message(s) did not commit ({Error}); each is retried by the handler pipeline")]
    public static partial void InboxBatchFailed(ILogger logger, int count, string error);

    [LoggerMessage(4102, LogLevel.Warning, "Inbox: rollback for message {MessageId} in {Handler} failed; the transaction is abandoned")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, string messageId, string handler);

    [LoggerMessage(4016, LogLevel.Warning, "Outbox: the messaging tables were not checked at start-up, the database did not answer reading {Table} ({Error}); the dispatcher and the handlers wait for it")]
    public static partial void SchemaNotChecked(ILogger logger, string table, string error);

    [LoggerMessage(4200, LogLevel.Information, "Dead letters: message {MessageId} of key {PartitionKey} held behind {HeadMessageId} ({HeadStatus}) at endpoint {Endpoint}; it is handled once that one is re-driven and handled, or discarded (messaging dlq keys)")]
    public static partial void HeldBehindKey(ILogger logger, string messageId, string partitionKey, string headMessageId, string headStatus, string endpoint);
}
