namespace Messaging.Transport;

/// <summary>A transport a package made available; chosen at start-up by <c>Messaging:Transport</c>.</summary>
/// <param name="Name">The configuration name (<c>RabbitMq</c>, <c>Kafka</c>, <c>InMemory</c>).</param>
/// <param name="Factory">Creates the singleton transport; called once, only when this transport is chosen.</param>
public sealed record TransportRegistration(string Name, Func<IServiceProvider, IMessageTransport> Factory)
{
    /// <summary>The registration of <paramref name="name"/> (case-insensitive; the last one when registered twice).</summary>
    /// <exception cref="InvalidOperationException">None has that name; the message lists the registered ones.</exception>
    internal static TransportRegistration Find(IReadOnlyList<TransportRegistration> registered, string name)
    {
        for (var i = registered.Count - 1; i >= 0; i--)
            if (string.Equals(registered[i].Name, name, StringComparison.OrdinalIgnoreCase)) return registered[i];
        throw new InvalidOperationException($"Transport {NotRegistered(name, registered.Select(t => t.Name))}.");
    }

    /// <summary>The one wording of an unknown transport name: <c>'x' is not registered; registered: A, B</c>.</summary>
    internal static string NotRegistered(string name, IEnumerable<string> registered) =>
        $"'{name}' is not registered; registered: {string.Join(", ", registered)}";
}
