using Messaging.Hosting;
using Messaging.Transport;
using Xunit;

namespace Messaging.Testing;

/// <summary>What a transport's test project provides to run the compliance suite against its broker.</summary>
public interface ITransportFixture : IAsyncLifetime
{
    /// <summary>The Messaging:Transport value, e.g. "RabbitMq".</summary>
    string TransportName { get; }

    /// <summary>Extra configuration keys (connection settings), e.g. Messaging:RabbitMq:Uri.</summary>
    IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Registers the transport on the builder, e.g. builder.AddRabbitMq().</summary>
    void Register(MessagingBuilder builder);

    /// <summary>Reads one message from the endpoint's dead-letter destination for messages that came
    /// from <paramref name="destination"/>; throws if none arrives within the timeout.</summary>
    Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout);
}
