using Messaging.Handling;

namespace Messaging.Handling;

/// <summary>A registered handler: which message type, its stable name, and how to run it.</summary>
/// <param name="MessageType">The CLR message type.</param>
/// <param name="HandlerType">The handler class.</param>
/// <param name="Name">Stable handler name (the inbox key); defaults to the handler's full type name.</param>
/// <param name="Invoke">Resolves the handler from the scope and runs it.</param>
internal sealed record HandlerDescriptor(
    Type MessageType,
    Type HandlerType,
    string Name,
    Func<IServiceProvider, object, MessageContext, CancellationToken, Task> Invoke);
