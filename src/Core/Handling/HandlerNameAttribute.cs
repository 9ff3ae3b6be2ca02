namespace Messaging.Handling;

/// <summary>Gives a handler class its stable name, the inbox key: the inbox records (message id, handler name), so a
/// message is handled once per name. Read by <see cref="Hosting.MessagingBuilder.AddHandlersFromAssembly"/>; without it a
/// scanned handler is named after its full type name, and renaming or moving the class makes the inbox forget which
/// messages it handled (they run again when redelivered or replayed).</summary>
/// <param name="name">The name, for example <c>ship-order</c>; kept for the life of the handler.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HandlerNameAttribute(string name) : Attribute
{
    /// <summary>The stable handler name.</summary>
    public string Name { get; } = name;
}
