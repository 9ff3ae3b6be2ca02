using Messaging.Tests.Containers;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// The broker of one test class (an xUnit class fixture): a fresh container per fixture where Docker runs, so a fault
/// test never shares a broker with another class; else the server MESSAGING_RABBITMQ names or the local node
/// (<see cref="RabbitMqServer"/> decides, in one place).
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private RabbitMqServer? _server;

    public RabbitMqBroker(Xunit.Abstractions.IMessageSink sink) => DockerEngine.ReportTo(sink);

    /// <summary>The broker's server; set once the fixture has initialized.</summary>
    public RabbitMqServer Server => _server ?? throw new InvalidOperationException("The broker fixture has not started yet.");

    /// <summary>amqp URI with credentials, through loopback.</summary>
    public string Uri => Server.Uri;

    /// <summary>Fault injection on this broker (rabbitmqctl).</summary>
    public BrokerControl Control => new(Server);

    /// <summary>A raw client connection, independent of the transport under test.</summary>
    public Task<IConnection> OpenConnectionAsync() => new ConnectionFactory { Uri = new Uri(Uri) }.CreateConnectionAsync();

    /// <summary>The URI with its password (and optionally its port) replaced, for tests that must never see it echoed.</summary>
    public string WithPassword(string password, int? port = null)
    {
        var uri = new UriBuilder(Uri) { Password = password };
        if (port is { } p) uri.Port = p;
        return uri.Uri.ToString();
    }

    public async Task InitializeAsync() => _server = await RabbitMqServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
