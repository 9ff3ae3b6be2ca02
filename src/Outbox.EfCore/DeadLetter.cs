using Messaging.Outbox.DeadLetters;

namespace Messaging.Outbox;

/// <summary>
/// One row of the dead-letters table (default <c>messaging_dead_letters</c>): a message this endpoint dead-lettered,
/// recorded by the transport in the same step that put its copy on the broker's dead-letter queue or topic (after the
/// broker confirmed the copy, before the message was acknowledged), with the reason, the failure group, the headers and
/// the body, so it can be read, re-driven through the outbox with its message id, or discarded
/// (<c>messaging dlq …</c>). One row per (endpoint, message id): a message that fails again after a re-drive counts a
/// new failure on its row.
/// </summary>
/// <remarks>Query through <c>DbContext.Set&lt;DeadLetter&gt;()</c> or SQL. All times are UTC. Rows are never deleted by the
/// library.</remarks>
public sealed class DeadLetter : EnvelopeRow
{
    /// <summary><c>id</c>: database-generated identity.</summary>
    public long Id { get; internal set; }

    /// <summary><c>endpoint</c>: the consuming endpoint (queue name, consumer group).</summary>
    public string Endpoint { get; internal set; } = "";

    /// <summary><c>handler_name</c>: the handler that failed; null when no handler ran.</summary>
    public string? HandlerName { get; internal set; }

    /// <summary><c>transport</c>: where it was consumed, and where a re-drive publishes it: <c>RabbitMq</c>, <c>Kafka</c>, <c>InMemory</c>.</summary>
    public string Transport { get; internal set; } = "";

    /// <summary><c>source</c>: where it was consumed: <c>queue q delivery-tag n</c> or <c>topic t partition p offset o</c>.</summary>
    public string Source { get; internal set; } = "";

    /// <summary><c>dead_letter_destination</c>: where the broker copy went: <c>&lt;endpoint&gt;.dlq</c> or <c>&lt;topic&gt;.dlq</c>.</summary>
    public string DeadLetterDestination { get; internal set; } = "";

    /// <summary><c>reason</c>: one line for a person (the <c>dead-letter-reason</c> header).</summary>
    public string Reason { get; internal set; } = "";

    /// <summary><c>exception_type</c>: the last exception's full type name; null when none was thrown.</summary>
    public string? ExceptionType { get; internal set; }

    /// <summary><c>exception_message</c>: the last exception's message; null when none was thrown.</summary>
    public string? ExceptionMessage { get; internal set; }

    /// <summary><c>failure_site</c>: the first stack frame of application code, <c>Namespace.Type.Method</c>; null when no handler ran.</summary>
    public string? FailureSite { get; internal set; }

    /// <summary><c>fingerprint</c>: the failure group, 12 hex characters (exception type and failure site).</summary>
    public string? Fingerprint { get; internal set; }

    /// <summary><c>attempts</c>: handling attempts of the last failure (count).</summary>
    public int Attempts { get; internal set; }

    /// <summary><c>sent_at</c>: the producer's timestamp of the message (UTC).</summary>
    public DateTime SentAt { get; internal set; }

    /// <summary><c>first_failed_at</c>: when it was first dead-lettered (UTC).</summary>
    public DateTime FirstFailedAt { get; internal set; }

    /// <summary><c>last_failed_at</c>: when it was last dead-lettered (UTC).</summary>
    public DateTime LastFailedAt { get; internal set; }

    /// <summary><c>failures</c>: how often it was dead-lettered (count; 0 for a message only ever held).</summary>
    public int Failures { get; internal set; }

    /// <summary><c>redrive_count</c>: how often it was re-driven (count).</summary>
    public int RedriveCount { get; internal set; }

    /// <summary><c>last_redriven_at</c>: when it was last re-driven (UTC); null when never.</summary>
    public DateTime? LastRedrivenAt { get; internal set; }

    /// <summary><c>last_redrive_job_id</c>: the re-drive job (<see cref="RedriveJob.Id"/>) that last re-drove it; null when
    /// never re-driven by a job.</summary>
    public long? LastRedriveJobId { get; internal set; }

    /// <summary><c>status</c>: <c>Parked</c>, <c>Redriven</c>, <c>Discarded</c>; with key-ordered dead-lettering also
    /// <c>Held</c> and <c>Releasing</c>.</summary>
    public DeadLetterStatus Status { get; internal set; }

    /// <summary><c>key_ordered</c>: recorded by an endpoint with <see cref="OutboxOptions.KeyOrderedDeadLetters"/> and has a
    /// partition key: while <see cref="DeadLetterStatus.Parked"/>, <see cref="DeadLetterStatus.Held"/> or
    /// <see cref="DeadLetterStatus.Releasing"/> it holds the endpoint's later messages of its key, and re-driving or
    /// discarding it releases them.</summary>
    public bool KeyOrdered { get; internal set; }


    /// <summary>
    /// A row, not yet stored, for a message found on a broker's dead-letter queue or topic: its envelope as far as it could be
    /// read, and the reason, handler, failure site, fingerprint, attempts, failure time and original destination from its
    /// <c>dead-letter-*</c> headers (docs/wire-format.md, "Dead letters"), which are not kept among its application headers.
    /// Parked, one failure. What the <c>messaging dlq --source rabbitmq|kafka</c> commands show, group and import.
    /// </summary>
    /// <param name="envelope">The copy's envelope.</param>
    /// <param name="headers">The copy's headers as text, <c>dead-letter-*</c> included.</param>
    /// <param name="transport">The transport it was consumed on: <c>RabbitMq</c>, <c>Kafka</c>.</param>
    /// <param name="endpoint">The consuming endpoint (queue, consumer group).</param>
    /// <param name="deadLetterDestination">The dead-letter queue or topic it was read from.</param>
    /// <returns>The row; a missing failure time (<c>dead-letter-time</c>) is taken from the envelope's timestamp.</returns>
    public static DeadLetter FromBrokerCopy(Envelope envelope, IReadOnlyDictionary<string, string> headers, string transport, string endpoint,
        string deadLetterDestination)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(headers);
        return DeadLetterRows.FromBrokerCopy(envelope, headers, transport, endpoint, deadLetterDestination);
    }
}
