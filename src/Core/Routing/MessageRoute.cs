namespace Messaging.Routing;

/// <summary>How one message type travels: its wire name, destination and partition key.</summary>
/// <param name="Type">The CLR type.</param>
/// <param name="Name">The message type name on the wire (<see cref="HeaderNames.MessageType"/>).</param>
/// <param name="Destination">The topic or exchange it is published to.</param>
/// <param name="PartitionKey">Picks the partition key from a message; null for none.</param>
/// <param name="Transport">The transport that publishes it; null for the primary (<c>Messaging:Transport</c>).</param>
public sealed record MessageRoute(Type Type, string Name, string Destination, Func<object, string?>? PartitionKey, string? Transport = null);
