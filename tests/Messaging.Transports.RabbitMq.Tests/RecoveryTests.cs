using System.Collections.Concurrent;
using System.Text;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq.Tests;

[Collection(BrokerFaultCollection.Name)]
public sealed class RecoveryTests(FaultBroker broker) : IClassFixture<FaultBroker>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Publisher_and_consumer_carry_on_after_the_broker_closes_the_connection()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var clientName = Names.Unique("recovery");
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:RabbitMq:ClientProvidedName"] = clientName });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var received = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) => { received.Enqueue(m.Envelope.MessageId); return Task.FromResult(ProcessingResult.Ack); }, stop.Token);

        var before = NewEnvelope(endpoint.Destinations[0]);
        await transport.SendAsync(before, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => received.Contains(before.MessageId), Deadline, "the message before the fault");

        Assert.Equal(1, await broker.Control.CloseConnectionsAsync(clientName));

        // While the connection recovers a publish fails as an outage (ConnectionLost or BrokerUnavailable); the caller
        // publishes again (same message id).
        var after = NewEnvelope(endpoint.Destinations[0]);
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                await transport.SendAsync(after, CancellationToken.None);
                break;
            }
            catch (PublishException ex) when (DateTime.UtcNow < deadline)
            {
                Assert.True(ex.IsOutage, $"expected an outage failure, got {ex.Failure}"); // channel closed, or connection recovering
                await Task.Delay(200);
            }
        }
        await Eventually.WaitUntilAsync(() => received.Contains(after.MessageId), Deadline, "the message after recovery");
        await stop.CancelAsync();
        await receiving.WaitAsync(Deadline);
    }

    private static Envelope NewEnvelope(string destination) => new()
    {
        MessageId = Envelope.NewMessageId(),
        MessageType = "recovery.test",
        Destination = destination,
        Body = Encoding.UTF8.GetBytes("{}"),
    };
}
