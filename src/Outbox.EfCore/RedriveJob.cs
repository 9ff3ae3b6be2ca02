namespace Messaging.Outbox;

/// <summary>
/// One row of the re-drive jobs table (default <c>messaging_redrive_jobs</c>): a re-drive of dead letters as an operator
/// asked for it (who, when, why, which ones, how fast, how many at most) and how far it got. Every dead letter it
/// re-drives is marked with the job's id (<see cref="DeadLetter.LastRedriveJobId"/>) in the same transaction as its outbox
/// row and the job's <see cref="Done"/> count, so a job that was killed half-way and resumed re-drives each dead letter
/// once, and a cancelled job stops before its next transaction.
/// </summary>
/// <remarks>Written by <see cref="Operations.RedriveJobs"/> (the <c>messaging dlq redrive</c> and <c>messaging dlq jobs</c>
/// commands). All times are UTC. Rows are never deleted by the library.</remarks>
public sealed class RedriveJob
{
    /// <summary><c>id</c>: database-generated identity; the job's number in <c>messaging dlq jobs</c>.</summary>
    public long Id { get; internal set; }

    /// <summary><c>requested_by</c>: who asked for it (<c>user@host</c> of the tool's process, or what the caller gave),
    /// at most 200 characters.</summary>
    public string RequestedBy { get; internal set; } = "";

    /// <summary><c>reason</c>: why, in the operator's words (<c>--reason</c>); empty when none was given.</summary>
    public string Reason { get; internal set; } = "";

    /// <summary><c>message_ids</c>: the chosen message ids, comma-separated; null unless chosen by id.</summary>
    public string? MessageIds { get; internal set; }

    /// <summary><c>fingerprint</c>: the chosen failure group; null unless chosen by group.</summary>
    public string? Fingerprint { get; internal set; }

    /// <summary><c>all_parked</c>: every parked dead letter was chosen.</summary>
    public bool AllParked { get; internal set; }

    /// <summary><c>endpoint</c>: only this endpoint's dead letters; null for every endpoint.</summary>
    public string? Endpoint { get; internal set; }

    /// <summary><c>selected_up_to</c>: the highest dead-letter <c>id</c> when the job started; rows recorded later are not
    /// the job's, even when they match its selection.</summary>
    public long SelectedUpTo { get; internal set; }

    /// <summary><c>first_count</c>: re-drive at most this many, oldest first (a canary batch); null for the whole selection.</summary>
    public int? FirstCount { get; internal set; }

    /// <summary><c>rate_per_second</c>: most dead letters re-driven per second (messages/s); null for as fast as the
    /// database takes them.</summary>
    public double? RatePerSecond { get; internal set; }

    /// <summary><c>total</c>: how many dead letters the selection held when the job started (count, after
    /// <see cref="FirstCount"/>).</summary>
    public int Total { get; internal set; }

    /// <summary><c>done</c>: how many it has re-driven (count); committed with them.</summary>
    public int Done { get; internal set; }

    /// <summary><c>status</c>: <c>Running</c>, <c>Completed</c> or <c>Cancelled</c>.</summary>
    public RedriveJobStatus Status { get; internal set; }

    /// <summary><c>runner</c>: the process running it now or last (<c>host/pid</c>), at most 200 characters.</summary>
    public string? Runner { get; internal set; }

    /// <summary><c>created_at</c>: when it was asked for (UTC).</summary>
    public DateTime CreatedAt { get; internal set; }

    /// <summary><c>updated_at</c>: its last progress (UTC). A <c>Running</c> job whose last progress is older than
    /// <see cref="Operations.RedriveJobs.StaleAfter"/> was interrupted and can be resumed.</summary>
    public DateTime UpdatedAt { get; internal set; }

    /// <summary><c>finished_at</c>: when it completed or was cancelled (UTC); null while running.</summary>
    public DateTime? FinishedAt { get; internal set; }

    /// <summary>The selection this job re-drives, as the operations take it.</summary>
    /// <returns>The message ids, failure group or all, and the endpoint.</returns>
    public Operations.DeadLetterSelection Selection() =>
        new(MessageIds is { Length: > 0 } ids ? ids.Split(',') : [], Fingerprint, AllParked, Endpoint);
}
