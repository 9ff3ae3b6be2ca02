namespace Messaging.Outbox;

/// <summary>
/// Thresholds of the outbox health check <c>messaging-outbox</c>, bound from <c>Messaging:Outbox:Health</c> and
/// validated at start-up.
/// </summary>
public sealed class OutboxHealthOptions
{
    /// <summary><c>Messaging:Outbox:Health:PendingAgeDegradedMs</c>: the oldest Pending row's age (by
    /// <c>created_at</c>) above which the check reports Degraded (ms, 1000..86400000). Default 60000.</summary>
    public int PendingAgeDegradedMs { get; set; } = 60_000;

    /// <summary><c>Messaging:Outbox:Health:PendingAgeUnhealthyMs</c>: the oldest Pending row's age above which the
    /// check reports Unhealthy: committed messages have not reached the broker for that long (ms, at least
    /// <see cref="PendingAgeDegradedMs"/>, at most 604800000). Default 600000 (10 minutes).</summary>
    public int PendingAgeUnhealthyMs { get; set; } = 600_000;

    /// <summary><c>Messaging:Outbox:Health:PendingCountDegraded</c>: Pending rows above which the check reports
    /// Degraded (count, 1..1000000000). Default 10000.</summary>
    public int PendingCountDegraded { get; set; } = 10_000;

    /// <summary><c>Messaging:Outbox:Health:FailedRowsDegraded</c>: <c>Failed</c> rows from which on the check reports
    /// Degraded, since each needs a person (count, 0 = never, up to 1000000000). Default 1.</summary>
    public int FailedRowsDegraded { get; set; } = 1;
}
