using Messaging.Configuration;
using Messaging.Routing;
using Microsoft.Extensions.Options;

namespace Messaging.Transport;

/// <summary>
/// Tells whether this host uses a transport: as <c>Messaging:Transport</c>, in <c>Messaging:ConsumeFrom</c>, or as
/// the transport of a route. Transport packages validate their settings at start-up only for a transport in
/// use, so an unused but registered transport needs no configuration.
/// </summary>
public sealed class TransportUsage(IOptions<MessagingOptions> options, MessageTypeMap routes)
{
    /// <summary>Whether the transport is in use.</summary>
    /// <param name="transport">A transport name such as <c>Kafka</c> (case-insensitive).</param>
    /// <returns>True when its settings must be valid at start-up.</returns>
    public bool IsUsed(string transport) =>
        options.Value.UsesTransport(transport)
        || routes.Routes.Any(r => string.Equals(r.Transport, transport, StringComparison.OrdinalIgnoreCase));
}
