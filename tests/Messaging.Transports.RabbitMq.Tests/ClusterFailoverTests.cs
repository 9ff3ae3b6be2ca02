using System.Collections.Concurrent;
using System.Text;
using Messaging.Testing;
using Messaging.Tests.Containers;
using Messaging.Transport;
using Xunit;
using PublishException = Messaging.Publishing.PublishException;
using PublishFailure = Messaging.Publishing.PublishFailure;

namespace Messaging.RabbitMq.Tests;

/// <summary>Two brokers, each in its own container; the transport gets both through Messaging:RabbitMq:Hosts. Where Docker
/// does not run the class has nothing to test against and is skipped (the fault harness runs a real three-node cluster).</summary>
public sealed class TwoBrokers : IAsyncLifetime
{
    public RabbitMqServer? First { get; private set; }
    public RabbitMqServer? Second { get; private set; }

    /// <summary>Why there are no two containers (the reason the test is skipped with); null when there are.</summary>
    public string? WhyNot { get; private set; }

    public async Task InitializeAsync()
    {
        WhyNot = TlsBroker.WhyNoContainer();
        if (WhyNot is not null) return;
        var starting = new[] { RabbitMqServer.StartAsync(), RabbitMqServer.StartAsync() };
        await Task.WhenAll(starting);
        (First, Second) = (starting[0].Result, starting[1].Result);
    }

    public async Task DisposeAsync()
    {
        if (First is not null) await First.DisposeAsync();
        if (Second is not null) await Second.DisposeAsync();
    }
}

public sealed class ClusterFailoverTests(TwoBrokers brokers) : IClassFixture<TwoBrokers>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task When_the_connected_node_is_killed_publish_and_consume_carry_on_through_the_other_node()
    {
        Skip.If(brokers.WhyNot is not null, brokers.WhyNot);
        Assert.True(brokers.First is not null && brokers.Second is not null);
        var nodes = new[] { brokers.First, brokers.Second };
        var clientName = Names.Unique("failover");
        var (provider, transport) = TestHost.Transport(brokers.First.Uri, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:ClientProvidedName"] = clientName,
            ["Messaging:RabbitMq:RecoveryIntervalMs"] = "500",
            ["Messaging:RabbitMq:Hosts:0"] = HostAndPort(brokers.First),
            ["Messaging:RabbitMq:Hosts:1"] = HostAndPort(brokers.Second),
        });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var received = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) => { received.Enqueue(m.Envelope.MessageId); return Task.FromResult(ProcessingResult.Ack); }, stop.Token);
        var before = NewEnvelope(endpoint.Destinations[0]);
        await transport.SendAsync(before, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => received.Contains(before.MessageId), Deadline, "the message before the fault");

        var connected = await ConnectedNodeAsync(nodes, clientName);
        var survivor = nodes.Single(n => n != connected);
        Assert.Equal(0, DockerEngine.Cli("kill", "--signal", "KILL", connected.Container!.Id).Status);

        // Recovery reconnects to the surviving node and declares the topology there again (these two brokers are not
        // clustered, so what the killed one held is gone with it); publishes meanwhile fail as an outage (ConnectionLost or
        // BrokerUnavailable). The publisher's and the receiver's connections recover apart, so until the receiver has
        // declared its queue and binding on the survivor a publish is returned Unroutable (mandatory), loudly, not dropped;
        // on a real cluster the queue survives the node. Only those are retried: any other failure is a finding.
        var after = NewEnvelope(endpoint.Destinations[0]);
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                await transport.SendAsync(after, CancellationToken.None);
                break;
            }
            catch (PublishException ex) when ((ex.IsOutage || ex.Failure == PublishFailure.Unroutable) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        await Eventually.WaitUntilAsync(() => received.Contains(after.MessageId), Deadline, "the message after the failover");
        Assert.Contains(clientName, await survivor.CtlAsync("-q", "list_connections", "--no-table-headers", "client_properties"), StringComparison.Ordinal);
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
    }

    private static string HostAndPort(RabbitMqServer server) => $"127.0.0.1:{server.Container!.GetMappedPublicPort(5672)}";

    private static async Task<RabbitMqServer> ConnectedNodeAsync(RabbitMqServer[] nodes, string clientName)
    {
        foreach (var node in nodes)
            if ((await node.CtlAsync("-q", "list_connections", "--no-table-headers", "client_properties")).Contains(clientName, StringComparison.Ordinal)) return node;
        throw new InvalidOperationException($"no node has connection {clientName}");
    }

    private static Envelope NewEnvelope(string destination) => new()
    {
        MessageId = Envelope.NewMessageId(), MessageType = "failover.test", Destination = destination, Body = Encoding.UTF8.GetBytes("{}"),
    };
}
