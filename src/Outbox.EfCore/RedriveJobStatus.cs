namespace Messaging.Outbox;

/// <summary>Where a re-drive job stands; stored as text in <c>messaging_redrive_jobs.status</c>.</summary>
public enum RedriveJobStatus
{
    /// <summary>Re-driving, or interrupted (its process died): see <see cref="RedriveJob.UpdatedAt"/>.</summary>
    Running,
    /// <summary>Every dead letter of its selection (or its first <see cref="RedriveJob.FirstCount"/>) was re-driven or is no
    /// longer parked.</summary>
    Completed,
    /// <summary>An operator cancelled it; what it re-drove before stays re-driven.</summary>
    Cancelled,
}
