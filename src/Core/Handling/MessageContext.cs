namespace Messaging.Handling;

/// <summary>What a handler knows about the message it handles.</summary>
/// <param name="Envelope">The received envelope (message id, headers, partition key).</param>
/// <param name="Source">Where it was consumed from (queue and delivery tag, or topic, partition and offset).</param>
/// <param name="HandlerName">The handler's stable name, the inbox key together with the message id.</param>
/// <param name="Attempt">1 for the first attempt, 2 for the first retry, and so on.</param>
/// <param name="Services">The message's DI scope.</param>
public sealed record MessageContext(Envelope Envelope, string Source, string HandlerName, int Attempt, IServiceProvider Services);
