using Messaging.Transport;

namespace Messaging.Transport;

/// <summary>A transport a package made available; chosen at start-up by <c>Messaging:Transport</c>.</summary>
/// <param name="Name">The configuration name (<c>RabbitMq</c>, <c>Kafka</c>, <c>InMemory</c>).</param>
/// <param name="Factory">Creates the singleton transport; called once, only when this transport is chosen.</param>
public sealed record TransportRegistration(string Name, Func<IServiceProvider, IMessageTransport> Factory);
