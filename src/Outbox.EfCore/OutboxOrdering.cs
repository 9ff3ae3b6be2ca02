namespace Messaging.Outbox;

/// <summary>How the dispatcher keeps partition-key order when a publish is not confirmed
/// (<c>Messaging:Outbox:Ordering</c>).</summary>
public enum OutboxOrdering
{
    /// <summary>One message in flight per partition key (keys in parallel, keyless rows pipelined): when a row is
    /// not confirmed, later rows of its key in the batch are not sent and wait for it. Order per key holds even
    /// across failures; a single hot key is limited to one broker round trip per message. The default.</summary>
    StrictPerKey,
    /// <summary>The whole batch in flight at once per transport (fastest). The broker keeps order among confirmed
    /// messages, but when one is not confirmed, later rows of its key may already be out: that key can be
    /// reordered once, around the failure.</summary>
    Pipelined,
}
