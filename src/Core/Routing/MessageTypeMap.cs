namespace Messaging.Routing;

/// <summary>
/// The routing table: message type ↔ wire name ↔ destination. Filled at start-up by
/// <see cref="Hosting.MessagingBuilder.Map{TMessage}"/>; read-only afterwards.
/// </summary>
public sealed class MessageTypeMap
{
    private readonly Dictionary<Type, MessageRoute> _byType = [];
    private readonly Dictionary<string, MessageRoute> _byName = new(StringComparer.Ordinal);

    /// <summary>All routes.</summary>
    public IReadOnlyCollection<MessageRoute> Routes => _byType.Values;

    /// <summary>Adds a route.</summary>
    /// <param name="route">The route.</param>
    /// <exception cref="InvalidOperationException">The type or its name is already mapped.</exception>
    public void Add(MessageRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (!_byType.TryAdd(route.Type, route))
            throw new InvalidOperationException($"Message type {route.Type.FullName} is mapped twice.");
        if (!_byName.TryAdd(route.Name, route))
            throw new InvalidOperationException($"Message type name '{route.Name}' is used by two types.");
    }

    /// <summary>Finds the route of a CLR type.</summary>
    /// <param name="type">The message type.</param>
    /// <returns>The route.</returns>
    /// <exception cref="InvalidOperationException">The type is not mapped; the message names the type and how to map it.</exception>
    public MessageRoute Get(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _byType.TryGetValue(type, out var route)
            ? route
            : throw new InvalidOperationException(
                $"Message type {type.FullName} has no route: call builder.Map<{type.Name}>(destination) in AddMessaging.");
    }

    /// <summary>Finds the route of a wire name.</summary>
    /// <param name="name">The message type name from the envelope.</param>
    /// <param name="route">The route, when found.</param>
    /// <returns>True when the name is known.</returns>
    public bool TryGet(string name, out MessageRoute route) => _byName.TryGetValue(name, out route!);
}
