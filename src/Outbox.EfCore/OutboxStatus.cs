namespace Messaging.Outbox;

/// <summary>
/// Where an outbox row stands; stored as text in <c>messaging_outbox.status</c> so it reads plainly in SQL.
/// </summary>
/// <remarks>
/// To send a <see cref="Failed"/> row again after fixing its cause: <c>messaging outbox retry &lt;id&gt;</c> (or
/// <c>--failed</c> for all of them): back to Pending, attempts 0, same message id.
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
