namespace Messaging.Outbox;

/// <summary>
/// One row of the outbox table (default <c>messaging_outbox</c>): an envelope written in the application's own
/// transaction and published later by the dispatcher with publisher confirms (at-least-once: a crash
/// between the confirm and marking the row sent re-sends it; the consumer's inbox absorbs that).
/// </summary>
/// <remarks>Rows are created by <see cref="IOutbox"/> and updated by the dispatcher; query them through
/// <c>DbContext.Set&lt;OutboxMessage&gt;()</c> or SQL for monitoring. All times are UTC.</remarks>
public sealed class OutboxMessage : EnvelopeRow
{
    /// <summary><c>id</c>: database-generated identity; the dispatch order.</summary>
    public long Id { get; internal set; }

    /// <summary><c>created_at</c>: when the producer created the message (UTC).</summary>
    public DateTime CreatedAt { get; internal set; }

    /// <summary><c>transport</c>: the registered transport that publishes this row (<c>RabbitMq</c>, <c>Kafka</c>,
    /// <c>InMemory</c>); null for the primary transport (<c>Messaging:Transport</c>) at dispatch time.</summary>
    public string? Transport { get; internal set; }

    /// <summary><c>not_before</c>: a scheduled row is not published before this time (UTC); null to publish at once.
    /// Per-key order applies among rows that are due: a row waiting for its time does not hold back later rows of
    /// its key.</summary>
    public DateTime? NotBefore { get; internal set; }

    /// <summary><c>attempts</c>: dispatches the broker did not confirm (count).</summary>
    public int Attempts { get; internal set; }

    /// <summary><c>last_error</c>: why the last dispatch was not confirmed; null when none failed.</summary>
    public string? LastError { get; internal set; }

    /// <summary><c>status</c>: <c>Pending</c>, <c>Sent</c> or <c>Failed</c>.</summary>
    public OutboxStatus Status { get; internal set; }

    /// <summary><c>sent_at</c>: when the broker confirmed it (UTC); null until then.</summary>
    public DateTime? SentAt { get; internal set; }

    /// <summary><c>lease_owner</c>: the dispatcher instance that claimed (or last sent) this row; null if never
    /// claimed. For operators: which instance sent what.</summary>
    public string? LeaseOwner { get; internal set; }

    /// <summary><c>lease_until</c>: while in the future, the row is claimed by <see cref="LeaseOwner"/> (or waits
    /// for its retry backoff) and no other dispatcher takes it, nor a later Pending row of its partition key. An
    /// expired lease is taken over (crash recovery). UTC; null when not claimed.</summary>
    public DateTime? LeaseUntil { get; internal set; }
}
