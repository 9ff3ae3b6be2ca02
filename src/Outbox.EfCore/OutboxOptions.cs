namespace Messaging.Outbox;

/// <summary>
/// Dispatcher settings, bound from the configuration section <c>Messaging:Outbox</c> and validated at start-up
/// (an invalid value stops the host with an error naming the key, for example <c>Messaging:Outbox:BatchSize</c>).
/// </summary>
public sealed class OutboxOptions
{
    /// <summary>The configuration section name: <c>Messaging:Outbox</c>.</summary>
    public const string SectionName = "Messaging:Outbox";

    /// <summary><c>Messaging:Outbox:BatchSize</c>: most pending rows claimed and published per round (count,
    /// 1..10000). Default 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary><c>Messaging:Outbox:PollIntervalMs</c>: how long the dispatcher waits for new rows when the outbox
    /// is empty (ms, 1..3600000). A commit through this process (or, with <see cref="UseListenNotify"/>, any
    /// process) wakes it sooner. Default 100.</summary>
    public int PollIntervalMs { get; set; } = 100;

    /// <summary><c>Messaging:Outbox:MaxAttempts</c>: unconfirmed dispatches after which a row is marked
    /// <see cref="OutboxStatus.Failed"/> and no longer sent (count, 1..1000). Default 10. Only dispatches the broker
    /// answered count (refused, returned, timed out on a healthy connection): while the transport cannot reach its
    /// broker, rows wait without spending attempts.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary><c>Messaging:Outbox:MaxBackoffMs</c>: longest wait before an unconfirmed row is tried again, and
    /// after a failed round (database or broker error); waits start at <see cref="PollIntervalMs"/> and double
    /// (ms, 1..3600000). Default 5000.</summary>
    public int MaxBackoffMs { get; set; } = 5_000;

    /// <summary>The wait before the <paramref name="failures"/>-th retry of a row or a round: <see cref="PollIntervalMs"/> ×
    /// 2^(n-1), at most <see cref="MaxBackoffMs"/>, with ±20 % jitter (<see cref="Messaging.Backoff"/>).</summary>
    internal TimeSpan BackoffAfter(int failures) =>
        Messaging.Backoff.Delay(failures, TimeSpan.FromMilliseconds(PollIntervalMs), TimeSpan.FromMilliseconds(MaxBackoffMs));

    /// <summary><c>Messaging:Outbox:LeaseMs</c>: how long a claimed row belongs to the dispatcher that claimed it
    /// (ms, 1000..3600000). Must exceed the time to publish one batch; a dispatcher that crashed leaves rows that
    /// another instance takes over after this time (and re-sends: the inbox absorbs it). Default 30000.</summary>
    public int LeaseMs { get; set; } = 30_000;

    /// <summary><c>Messaging:Outbox:Ordering</c>: per-key order under failures, see <see cref="OutboxOrdering"/>.
    /// Default <see cref="OutboxOrdering.StrictPerKey"/>.</summary>
    public OutboxOrdering Ordering { get; set; } = OutboxOrdering.StrictPerKey;

    /// <summary><c>Messaging:Outbox:FlushOnCommit</c>: after a <c>SaveChangesAsync</c> without an explicit transaction commits
    /// outbox rows, the same process claims those rows, publishes them with confirms and records them before the save
    /// returns (waiting at most <see cref="FlushTimeoutMs"/>), instead of waking the dispatcher: the message goes out without
    /// a dispatcher round, and writers that outrun the broker are slowed to its pace rather than building a backlog. Rows
    /// it does not send (held back by an earlier row of their key, a paused transport, a refusal, the timeout) stay the
    /// dispatcher's. Default true; false leaves every row to the dispatcher.</summary>
    public bool FlushOnCommit { get; set; } = true;

    /// <summary><c>Messaging:Outbox:FlushTimeoutMs</c>: the longest a <c>SaveChangesAsync</c> waits for the flush of its rows
    /// (ms, 0..600000); after it the save returns and the publish finishes in the background (or the dispatcher takes the
    /// rows over when their lease runs out). Default 5000.</summary>
    public int FlushTimeoutMs { get; set; } = 5_000;

    /// <summary><c>Messaging:Outbox:UseListenNotify</c>: PostgreSQL only: a commit that wrote outbox rows sends
    /// <c>NOTIFY</c> and every dispatcher <c>LISTEN</c>s, so instances other than the writer wake at once too.
    /// Ignored on other databases. Polling stays as the fallback. Default false.</summary>
    public bool UseListenNotify { get; set; }

    /// <summary><c>Messaging:Outbox:SentRetentionMs</c>: Sent rows older than this (by <c>sent_at</c>) are deleted
    /// (ms, 0 = keep forever, else 1000..31536000000). Failed and Pending rows are never deleted. Default 604800000 (7 days).</summary>
    public long SentRetentionMs { get; set; } = 7L * 24 * 3600 * 1000;

    /// <summary><c>Messaging:Outbox:InboxRetentionMs</c>: inbox rows older than this (by <c>processed_at</c>) are
    /// deleted, except those of a message with a Parked, Held or Releasing dead letter, which a re-drive may still bring back (ms, 0 = keep
    /// forever, else at least 1 hour and at least the window in which a handled message can still come again, computed at
    /// start-up from <c>Messaging:Retry</c>, <c>Messaging:HandlerTimeoutMs</c> and <see cref="LeaseMs"/>, which a
    /// shorter value fails naming; at most 31536000000). Default 2592000000 (30 days): above Kafka's default topic retention of
    /// 7 days with a margin, so a replay of a whole topic is still recognised.</summary>
    /// <remarks>A deleted inbox row can no longer recognise a duplicate, so keep rows longer than any duplicate can
    /// still arrive: RabbitMQ redelivers unacknowledged messages for as long as they sit in the queue (consumer
    /// down, dead-letter replays by an operator); Kafka can replay a topic for its whole retention
    /// (<c>retention.ms</c>, default 7 days) when offsets are reset; an outbox re-sends after a crash within
    /// <see cref="LeaseMs"/>; a bridge or another producer may re-send later still. Set it above the longest of
    /// these for every source this endpoint consumes, with a margin (for example broker retention + 1 day).</remarks>
    public long InboxRetentionMs { get; set; } = 30L * 24 * 3600 * 1000;

    /// <summary><c>Messaging:Outbox:RetentionIntervalMs</c>: how often the dispatcher deletes old rows
    /// (ms, 1000..86400000). Default 60000.</summary>
    public int RetentionIntervalMs { get; set; } = 60_000;

    /// <summary><c>Messaging:Outbox:Health</c>: thresholds of the <c>messaging-outbox</c> health check.</summary>
    public OutboxHealthOptions Health { get; set; } = new();

    /// <summary><c>Messaging:Outbox:InboxBatchSize</c>: most handled messages the inbox commits in one database
    /// transaction (count, 1..1000; 1 = a transaction per message). Default 50: each message of a batch is a savepoint
    /// (a subtransaction), and PostgreSQL keeps at most 64 subtransaction ids per session in shared memory
    /// (<c>PGPROC_MAX_CACHED_SUBXIDS</c>); beyond that other sessions' snapshots slow down while the batch is open.</summary>
    /// <remarks>Runs that arrive while the database is busy share a transaction: each its own savepoint, inbox row,
    /// handler and DbContext on the batch's connection, one after another; one commit; each message is acknowledged only
    /// after that commit. A failing handler is rolled back to its savepoint and retried on its own; the others commit.
    /// Batches form only when several messages are handled at once (<c>Messaging:RabbitMq:ConcurrentMessageLimit</c>,
    /// <c>Messaging:Kafka:MaxConcurrency</c> above 1). Handlers of a batch run one after another, so one that waits on
    /// slow I/O (an HTTP call) holds up the others: set 1 for such endpoints. DbContext pools are not batched.</remarks>
    public int InboxBatchSize { get; set; } = 50;

    /// <summary><c>Messaging:Outbox:InboxBatchWaitMs</c>: how long a batch that is not full waits for more messages
    /// before it starts (ms, 0..1000). Default 0: a batch takes what is waiting and starts at once, so no message waits
    /// for others under light load.</summary>
    public int InboxBatchWaitMs { get; set; }

    /// <summary><c>Messaging:Outbox:InboxConcurrentBatches</c>: inbox batches (each one connection and transaction) that
    /// run at once (count, 1..64). Default 4. On a single-writer database (SQLite) always 1.</summary>
    public int InboxConcurrentBatches { get; set; } = 4;

    /// <summary><c>Messaging:Outbox:KeyOrderedDeadLetters</c>: keep each partition key's order across dead letters at this
    /// endpoint. When a message with partition key K is dead-lettered, the endpoint's later messages of K are recorded as
    /// <see cref="DeadLetterStatus.Held"/> in the dead-letters table (before they are acknowledged, without a handler run or
    /// a broker copy) while other keys flow on; re-driving or discarding the dead letter releases them through the outbox
    /// in their original order, each applied once. Costs a lookup of the dead-letters table per keyed message, batched
    /// across messages that arrive together (README, "Key-ordered dead-lettering", has the measured cost). Default false:
    /// a dead-lettered message leaves its key's stream and later messages of its key are applied without it.</summary>
    public bool KeyOrderedDeadLetters { get; set; }

    /// <summary><c>Messaging:Outbox:RetentionBatchSize</c>: most rows one delete statement removes, so retention
    /// never holds long locks or writes a huge transaction (count, 1..100000). Default 1000.</summary>
    public int RetentionBatchSize { get; set; } = 1_000;
}
