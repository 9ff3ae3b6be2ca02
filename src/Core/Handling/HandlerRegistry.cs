using Messaging.Routing;
using Messaging.Transport;

namespace Messaging.Handling;

internal sealed class HandlerRegistry
{
    private readonly Dictionary<Type, HandlerDescriptor[]> _byType;

    public HandlerRegistry(IReadOnlyList<HandlerDescriptor> handlers, MessageTypeMap routes)
    {
        _byType = handlers.GroupBy(h => h.MessageType).ToDictionary(g => g.Key, g => g.ToArray());
        foreach (var h in handlers) routes.Get(h.MessageType); // an unmapped handled type fails at start-up
        Destinations = handlers.Select(h => routes.Get(h.MessageType).Destination).Distinct(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Destinations { get; }

    /// <summary>The handlers of <paramref name="messageType"/> in registration order; empty when none. Per message, so no copy.</summary>
    public IReadOnlyList<HandlerDescriptor> For(Type messageType) => _byType.GetValueOrDefault(messageType, []);

    public IReadOnlyList<ConsumerEndpoint> Endpoints(string endpointName) =>
        Destinations.Count == 0 ? [] : [new ConsumerEndpoint(endpointName, Destinations)];
}
