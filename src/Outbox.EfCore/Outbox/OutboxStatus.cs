namespace Messaging.Outbox;

/// <summary>
/// Where an outbox row stands; stored as text in <c>messaging_outbox.status</c> so it reads plainly in SQL.
/// </summary>
/// <remarks>
/// To send a <see cref="Failed"/> row again after fixing its cause:
/// <c>update messaging_outbox set status = 'Pending', attempts = 0 where id = ...</c>.
/// </remarks>
public enum OutboxStatus
{
    /// <summary>Committed and waiting for the dispatcher (new, or not yet confirmed by the broker).</summary>
    Pending,
    /// <summary>The broker confirmed the message (publisher confirm / <c>acks=all</c> delivery report).</summary>
    Sent,
    /// <summary>The broker did not confirm it in <see cref="OutboxOptions.MaxAttempts"/> attempts; the dispatcher
    /// no longer sends it. <c>last_error</c> says why.</summary>
    Failed,
}
