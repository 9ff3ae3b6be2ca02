namespace Messaging.Handling;

/// <summary>What an endpoint does with a message it has no handler for (<c>Messaging:UnhandledMessages</c>): a message
/// type it does not know, or a known type no handler of this endpoint takes. A destination other applications publish to
/// as well (a shared exchange or topic) brings such messages.</summary>
public enum UnhandledMessagePolicy
{
    /// <summary>Dead-letter it with the reason (<c>unknown_type</c> or <c>no_handler</c>), as every message that cannot be
    /// handled: nothing is dropped without a trace. The default.</summary>
    DeadLetter,
    /// <summary>Acknowledge it without handling it: counted in <c>messaging.process.skipped</c> (with
    /// <c>messaging.dead_letter.reason</c> <c>unknown_type</c> or <c>no_handler</c>) and logged once per message type, not
    /// once per message. For endpoints on shared destinations, where other applications' messages are expected.</summary>
    Skip,
}
