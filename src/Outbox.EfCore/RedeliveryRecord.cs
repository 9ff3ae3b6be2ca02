namespace Messaging.Outbox;

/// <summary>
/// One row of the redeliveries table (default <c>messaging_redeliveries</c>): how many deliveries of a message
/// reached an endpoint's handlers, written only when the broker redelivers it (its first delivery costs nothing).
/// Poison detection (<c>Messaging:Retry:MaxDeliveries</c>) counts these instead of the broker's
/// <c>x-delivery-count</c>, which also rises for messages that were only prefetched when a connection dropped.
/// </summary>
/// <remarks>Primary key (<c>endpoint</c>, <c>message_id</c>). All times are UTC. Deleted with the inbox rows
/// (<see cref="OutboxOptions.InboxRetentionMs"/>, by <c>last_delivered_at</c>).</remarks>
public sealed class RedeliveryRecord
{
    /// <summary><c>endpoint</c>: the endpoint (queue) that received it.</summary>
    public string Endpoint { get; internal set; } = "";

    /// <summary><c>message_id</c>: the producer-created message id.</summary>
    public string MessageId { get; internal set; } = "";

    /// <summary><c>deliveries</c>: deliveries that reached the handlers, the first one included (count, at least 2).</summary>
    public int Deliveries { get; internal set; }

    /// <summary><c>first_redelivered_at</c>: when the first redelivery reached the handlers (UTC).</summary>
    public DateTime FirstRedeliveredAt { get; internal set; }

    /// <summary><c>last_delivered_at</c>: when the latest delivery reached the handlers (UTC).</summary>
    public DateTime LastDeliveredAt { get; internal set; }
}
