using Messaging.Routing;
using Messaging.Transport;

namespace Messaging.Hosting;

internal sealed class HandlerRegistry
{
    private readonly ILookup<Type, HandlerDescriptor> _byType;

    public HandlerRegistry(IReadOnlyList<HandlerDescriptor> handlers, MessageTypeMap routes)
    {
        _byType = handlers.ToLookup(h => h.MessageType);
        foreach (var h in handlers) routes.Get(h.MessageType); // an unmapped handled type fails at start-up
        Destinations = handlers.Select(h => routes.Get(h.MessageType).Destination).Distinct(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Destinations { get; }

    public IEnumerable<HandlerDescriptor> For(Type messageType) => _byType[messageType];

    public IReadOnlyList<ConsumerEndpoint> Endpoints(string endpointName) =>
        Destinations.Count == 0 ? [] : [new ConsumerEndpoint(endpointName, Destinations)];
}
