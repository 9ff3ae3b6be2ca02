using Messaging.Hosting;
using Messaging.Testing;
using Messaging.Testing.Outages;
using Messaging.Transport;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

/// <summary>The outage suite of Messaging.Testing on a private mock cluster whose every broker is taken down and up
/// (skipped, with the reason, when MESSAGING_KAFKA names a real cluster).</summary>
public sealed class KafkaOutageCompliance(KafkaFaultCluster cluster, ITestOutputHelper output)
    : BrokerOutageCompliance<KafkaFaultCluster>(cluster, output);

/// <summary>A mock cluster of three brokers for one test class, which the outage suite takes down and up.</summary>
public sealed class KafkaFaultCluster : ITransportFixture, IBrokerFaults
{
    private const int Brokers = 3;
    private PrivateCluster? _cluster;

    public string TransportName => "Kafka";

    /// <summary>The cluster's settings, and a delivery timeout (5 s) shorter than the outage: a record librdkafka held when
    /// the brokers went has timed out by the time they are back, so the outage reaches the outbox as failed sends.</summary>
    public IReadOnlyDictionary<string, string?> Settings => Cluster.Settings(new() { ["Messaging:Kafka:MessageTimeoutMs"] = "5000" });

    public string? WhyNoFaults { get; private set; }

    private PrivateCluster Cluster => _cluster ?? throw new InvalidOperationException(WhyNoFaults ?? "The cluster has not started yet.");

    public void Register(MessagingBuilder builder) => builder.AddKafka();

    public Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout) =>
        throw new NotSupportedException("The outage suite reads no dead letters.");

    public Task TakeBrokerDownAsync()
    {
        for (var broker = 1; broker <= Brokers; broker++) Cluster.Mock.SetBrokerDown(broker);
        return Task.CompletedTask;
    }

    public Task BringBrokerBackAsync()
    {
        for (var broker = 1; broker <= Brokers; broker++) Cluster.Mock.SetBrokerUp(broker);
        return Task.CompletedTask;
    }

    public Task InitializeAsync()
    {
        if (KafkaTarget.RealBootstrapServers() is not null) WhyNoFaults = KafkaTarget.MockOnlyReason("every broker taken down and up");
        else _cluster = PrivateCluster.Start(realBootstrapServers: null);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _cluster?.Dispose();
        return Task.CompletedTask;
    }
}
