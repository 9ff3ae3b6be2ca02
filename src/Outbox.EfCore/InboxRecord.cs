namespace Messaging.Outbox;

/// <summary>
/// One row of the inbox table (default <c>messaging_inbox</c>): the handler <see cref="HandlerName"/> has handled the
/// message <see cref="MessageId"/>, committed in the same transaction as the handler's own changes. A later
/// delivery of the same message id to the same handler is acknowledged and skipped (once per handler).
/// </summary>
/// <remarks>Primary key (<c>message_id</c>, <c>handler_name</c>). All times are UTC. The dispatcher deletes rows
/// older than <see cref="OutboxOptions.InboxRetentionMs"/> (never, by default); see there for how long to keep them.</remarks>
public sealed class InboxRecord
{
    /// <summary><c>message_id</c>: the producer-created message id.</summary>
    public string MessageId { get; internal set; } = "";

    /// <summary><c>handler_name</c>: the handler's stable name.</summary>
    public string HandlerName { get; internal set; } = "";

    /// <summary><c>received_at</c>: when handling of this message started (UTC).</summary>
    public DateTime ReceivedAt { get; internal set; }

    /// <summary><c>processed_at</c>: when handling started, the same as <see cref="ReceivedAt"/> (UTC). The row
    /// commits only together with the handler's work, so a row that exists means "processed"; the time is written
    /// with the row rather than updated when the handler finishes (that update cost a round trip per message).
    /// Retention (<see cref="OutboxOptions.InboxRetentionMs"/>) counts from it.</summary>
    public DateTime ProcessedAt { get; internal set; }
}
