using Messaging.Diagnostics;
using Messaging.InMemory;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Publishing;
using Messaging.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>One host on two transports (a second in-memory transport stands in for the other broker): the outbox
/// publishes each row through its transport, the inbox applies a message id once per handler whichever broker
/// brought it, and a bridge forwards messages to the other broker with their message id.</summary>
public abstract class TransportScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    private readonly InMemoryTransport _secondary = new();

    private static Dictionary<string, string?> ConsumeBoth => new() { ["Messaging:ConsumeFrom:0"] = "InMemory", ["Messaging:ConsumeFrom:1"] = "Secondary" };

    [Fact]
    public async Task Same_message_id_through_both_transports_is_handled_once_per_handler()
    {
        var host = await HostAsync(configure: m => m.AddTransport("Secondary", _ => _secondary).AddHandler<OrderPlaced, ShipOrderHandler>(), settings: ConsumeBoth);
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("M-1"), typeof(OrderPlaced));
        var transports = host.Services.GetRequiredService<Transport.MessagingTransports>();
        await transports.Get(null).SendAsync(envelope, CancellationToken.None);
        await transports.Get("Secondary").SendAsync(envelope, CancellationToken.None);

        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        await Wait.UntilAsync(() => statistics.Handled + statistics.DuplicatesSkipped == 2, "both deliveries were processed");
        Assert.Equal(1, statistics.Handled);
        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Shipments.CountAsync());
    }

    [Fact]
    public async Task Bridged_message_arrives_on_the_other_transport_with_the_same_id_and_headers()
    {
        var host = await HostAsync(configure: m => m.AddTransport("Secondary", _ => _secondary)
            .AddHandler<OrderPlaced, ShipOrderHandler>().AddOutboxBridge<OrderPlaced>("Secondary"));
        var destination = host.Services.GetRequiredService<MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await using var sink = await TransportSink.StartAsync(_secondary, "kafka-side", destination);
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new OrderPlaced("N-1"),
            new PublishOptions { PartitionKey = "N", CorrelationId = "corr-n", Headers = new Dictionary<string, string> { ["tenant"] = "t9" } });

        await Wait.UntilAsync(() => !sink.Received.IsEmpty, "the bridged copy arrived through the Kafka transport");
        var bridged = Assert.Single(sink.Received);
        Assert.Equal(sent.MessageId, bridged.MessageId);
        Assert.Equal(sent.Headers, bridged.Headers);
        Assert.Equal((sent.PartitionKey, sent.CorrelationId, sent.Destination), (bridged.PartitionKey, bridged.CorrelationId, bridged.Destination));
        Assert.Equal(sent.Body.ToArray(), bridged.Body.ToArray());
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => (await check.Set<OutboxMessage>().SingleAsync()).Status == OutboxStatus.Sent, "the bridge row is Sent");
        var row = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal(("Secondary", OutboxStatus.Sent, sent.MessageId), (row.Transport, row.Status, row.MessageId));
        Assert.Equal(1, await check.Shipments.CountAsync());
    }

    [Fact]
    public async Task Bridged_message_coming_back_through_the_other_transport_is_skipped_by_the_inbox()
    {
        var host = await HostAsync(configure: m => m.AddTransport("Secondary", _ => _secondary)
            .AddHandler<OrderPlaced, ShipOrderHandler>().AddOutboxBridge<OrderPlaced>("Secondary"), settings: ConsumeBoth);
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new OrderPlaced("P-1"));

        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        await Wait.UntilAsync(() => statistics.DuplicatesSkipped == 2, "the copy from Kafka was skipped by both handlers");
        Assert.Equal(2, statistics.Handled); // ship + bridge, once each
        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Shipments.CountAsync());
        Assert.Equal(1, await check.Set<OutboxMessage>().CountAsync()); // no loop
        Assert.Equal(2, await check.Set<InboxRecord>().CountAsync());
    }

    [Fact]
    public async Task Rows_go_through_their_own_transport()
    {
        var host = await HostAsync(configure: m => m.AddTransport("Secondary", _ => _secondary).AddTransport("Unused", _ => new InMemoryTransport())
            .Map<SecondaryNote>("notes-" + Guid.NewGuid().ToString("N"), transport: "Secondary"));
        var destination = host.Services.GetRequiredService<MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await using var kafkaSink = await TransportSink.StartAsync(_secondary, "kafka-side", destination);
        await using var primarySink = await TransportSink.StartAsync(host.Services.GetRequiredService<Transport.IMessageTransport>(), "primary-side", destination);
        var factory = host.Services.GetRequiredService<IEnvelopeFactory>();
        var viaKafka = factory.Create(new OrderPlaced("Q-1"), typeof(OrderPlaced));
        var viaPrimary = factory.Create(new OrderPlaced("Q-2"), typeof(OrderPlaced));
        await InScopeAsync(host, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            outbox.Enqueue(viaKafka, "secondary"); // names compare case-insensitively
            outbox.Enqueue(viaPrimary);
            Assert.Throws<InvalidOperationException>(() => outbox.Enqueue(viaPrimary, "Carrier-Pigeon"));
            var unused = Assert.Throws<InvalidOperationException>(() => outbox.Enqueue(viaPrimary, "Unused"));
            Assert.Contains("registered but this host does not use it", unused.Message, StringComparison.Ordinal);
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        await Wait.UntilAsync(() => kafkaSink.Received.Count + primarySink.Received.Count == 2, "both rows were published");
        Assert.Equal(viaKafka.MessageId, Assert.Single(kafkaSink.Received).MessageId);
        Assert.Equal(viaPrimary.MessageId, Assert.Single(primarySink.Received).MessageId);
    }
}

public sealed class SqliteTransportTests(SqliteDatabase database, ITestOutputHelper output)
    : TransportScenarios<SqliteDatabase>(database, output);

public sealed class PostgresTransportTests(PostgresDatabase database, ITestOutputHelper output)
    : TransportScenarios<PostgresDatabase>(database, output);
