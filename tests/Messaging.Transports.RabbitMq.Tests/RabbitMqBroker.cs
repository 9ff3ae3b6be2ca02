using Messaging.Hosting;
using Messaging.Testing;
using Messaging.Testing.Outages;
using Messaging.Tests.Containers;
using Messaging.Transport;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// The broker of one test class (an xUnit class fixture): a fresh container per fixture where Docker runs; else the
/// server MESSAGING_RABBITMQ names or the local node (<see cref="RabbitMqServer"/> decides, in one place). Fault tests
/// take a <see cref="FaultBroker"/> instead.
/// </summary>
public class RabbitMqBroker : IAsyncLifetime
{
    private readonly bool _private;
    private RabbitMqServer? _server;
    private string? _whyNoServer;

    public RabbitMqBroker(Xunit.Abstractions.IMessageSink sink) : this(sink, privateBroker: false) { }

    protected RabbitMqBroker(Xunit.Abstractions.IMessageSink sink, bool privateBroker)
    {
        DockerEngine.ReportTo(sink);
        _private = privateBroker;
    }

    /// <summary>The broker's server; set once the fixture has initialized.</summary>
    public RabbitMqServer Server => _server ?? throw new InvalidOperationException(_whyNoServer ?? "The broker fixture has not started yet.");

    /// <summary>amqp URI with credentials, through loopback.</summary>
    public string Uri => Server.Uri;

    /// <summary>Fault injection on this broker (rabbitmqctl).</summary>
    public BrokerControl Control => new(_server, _whyNoServer);

    /// <summary>A raw client connection, independent of the transport under test.</summary>
    public Task<IConnection> OpenConnectionAsync() => new ConnectionFactory { Uri = new Uri(Uri) }.CreateConnectionAsync();

    /// <summary>The URI with its password (and optionally its port) replaced, for tests that must never see it echoed.</summary>
    public string WithPassword(string password, int? port = null)
    {
        var uri = new UriBuilder(Uri) { Password = password };
        if (port is { } p) uri.Port = p;
        return uri.Uri.ToString();
    }

    public async Task InitializeAsync()
    {
        if (_private) (_server, _whyNoServer) = await RabbitMqServer.StartPrivateAsync();
        else _server = await RabbitMqServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The broker of one fault-test class (it stops the broker or closes every connection): one no other test
/// assembly uses, from <see cref="RabbitMqServer.StartPrivateAsync"/> (a fresh container, or the private node
/// MESSAGING_RABBITMQ_FAULTS names); without one, <see cref="RabbitMqBroker.Control"/> says why and the tests skip. As the
/// outage suite's fixture it stops the broker with <c>rabbitmqctl stop_app</c>.</summary>
public sealed class FaultBroker(Xunit.Abstractions.IMessageSink sink) : RabbitMqBroker(sink, privateBroker: true), ITransportFixture, IBrokerFaults
{
    /// <summary>How often the client tries to reconnect (its default), set explicitly so the outage suite's bound follows it.</summary>
    public const int RecoveryIntervalMs = 5_000;

    public string TransportName => "RabbitMq";

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:RabbitMq:Uri"] = Uri,
        ["Messaging:RabbitMq:ClientProvidedName"] = Names.Unique("outage"),
        ["Messaging:RabbitMq:RecoveryIntervalMs"] = RecoveryIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public string? WhyNoFaults => Control.WhyUnavailable;

    public void Register(MessagingBuilder builder) => builder.AddRabbitMq();

    public Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout) =>
        RabbitMqFixture.ReadDeadLetterAsync(this, endpoint, destination, timeout);

    public Task TakeBrokerDownAsync() => Control.StopAppAsync();

    public Task BringBrokerBackAsync() => Control.StartAppAsync();
}
