namespace Messaging.Outbox.Dispatch;

/// <summary>A transport outbox rows are published through besides the primary and the routes' (a bridge's target);
/// registered so the dispatcher watches its health too.</summary>
/// <param name="Transport">The registered transport name.</param>
internal sealed record OutboxTransportTarget(string Transport);
