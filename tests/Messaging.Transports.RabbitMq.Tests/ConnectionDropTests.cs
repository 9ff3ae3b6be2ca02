using Messaging.Testing;
using Messaging.Testing.Outages;
using Messaging.Diagnostics;
using Messaging.Handling;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// Connection drops raise a quorum queue's <c>x-delivery-count</c> for every message prefetched at the time, although
/// no handler ever saw them. Poison detection must count only deliveries that reached the handlers, or a few drops park
/// healthy messages (measured before the fix: 22 of 300 dead-lettered, 20 never applied).
/// </summary>
[Collection(BrokerFaultCollection.Name)]
public sealed class ConnectionDropTests(FaultBroker broker, ITestOutputHelper output) : IClassFixture<FaultBroker>
{
    private const int Orders = 300;
    private const int Prefetch = 50;
    private const int Drops = 5;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Five_connection_drops_in_a_row_park_no_healthy_message()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var clientName = Names.Unique("drops");
        var endpoint = Names.Unique("drops-ep");
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:Endpoint"] = endpoint,
            ["Messaging:RabbitMq:Uri"] = broker.Uri,
            ["Messaging:RabbitMq:ClientProvidedName"] = clientName,
            ["Messaging:RabbitMq:QueueType"] = "Quorum",
            ["Messaging:RabbitMq:Prefetch"] = Prefetch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:RabbitMq:RecoveryIntervalMs"] = "500",
            ["Messaging:Retry:MaxDeliveries"] = "3",
        };
        var gate = new CommittedGate();
        var database = OutageDatabase.Sqlite();
        await using var run = await OutageRun.CreateAsync(database, settings, b =>
        {
            b.AddRabbitMq();
            b.Services.AddSingleton(gate).AddScoped<IHandlerFilter>(s => s.GetRequiredService<CommittedGate>()); // outside the inbox
        });
        await run.Host.StartAsync();
        await run.PlaceOrdersAsync(0, Orders);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied >= 10, Deadline, "the first orders applied");

        // One message at a time from here: each drop hits the consumer holding one handled message (its ack not sent yet)
        // and a full prefetch behind it that no handler has seen. Those keep their place in the queue, so every drop
        // raises their x-delivery-count once more: after the fifth, far beyond MaxDeliveries.
        gate.Shut();
        for (var drop = 1; drop <= Drops; drop++)
        {
            await gate.NextArrivalAsync(Deadline); // a handled message waits, its lane busy
            await Eventually.WaitUntilAsync(async () => await broker.Control.UnacknowledgedAsync(endpoint) >= Prefetch, Deadline,
                $"drop {drop}: the consumer back, holding a full prefetch");
            var applied = (await run.OrdersAsync()).Applied;
            Assert.True(Orders - applied > Prefetch, $"drop {drop}: only {Orders - applied} orders left, less than a full prefetch");
            var closed = await broker.Control.CloseConnectionsAsync(clientName);
            output.WriteLine($"drop {drop}: closed {closed} connection(s) at {applied} applied");
            Assert.True(closed >= 1, $"drop {drop} closed no connection named {clientName}");
            gate.LetOneThrough(); // its acknowledgement fails with the connection: it comes back as a duplicate
        }
        gate.Open();
        var statistics = run.Host.Services.GetRequiredService<MessagingStatistics>();
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied + statistics.DeadLettered >= Orders, Deadline,
            "every order applied or dead-lettered");

        var orders = await run.OrdersAsync();
        await using var db = database.CreateContext();
        var redelivered = await db.Set<RedeliveryRecord>().CountAsync();
        var most = await db.Set<RedeliveryRecord>().MaxAsync(r => (int?)r.Deliveries) ?? 0;
        output.WriteLine($"applied {orders.Applied}, applied twice {orders.AppliedTwice}, dead-lettered {statistics.DeadLettered}, duplicates skipped {statistics.DuplicatesSkipped}, " +
            $"redelivered messages that reached the handlers {redelivered} (most deliveries {most})");
        Assert.Equal(0, statistics.DeadLettered);
        Assert.Equal((Orders, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        // The scenario happened: the broker redelivered the messages the drops took from the consumer.
        Assert.True(redelivered >= 1, "no message was redelivered after the drops");
    }

    /// <summary>A handler filter outside the inbox: while shut, a message whose work has committed waits here (its
    /// acknowledgement not sent yet) until the test lets it through; the test learns of each arrival.</summary>
    private sealed class CommittedGate : IHandlerFilter
    {
        private readonly SemaphoreSlim _passes = new(0);
        private readonly SemaphoreSlim _arrivals = new(0);
        private volatile bool _shut;

        public async Task<HandlerOutcome> InvokeAsync(MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
        {
            var outcome = await next(cancellationToken);
            if (!_shut) return outcome;
            _arrivals.Release();
            await _passes.WaitAsync(CancellationToken.None); // not the handler's token: the test decides
            return outcome;
        }

        public void Shut() => _shut = true;

        /// <summary>Waits for a message that arrived since the previous call (or since <see cref="Shut"/>).</summary>
        public async Task NextArrivalAsync(TimeSpan timeout)
        {
            if (!await _arrivals.WaitAsync(timeout)) throw new TimeoutException($"No handled message reached the gate within {timeout.TotalSeconds:0} s.");
        }

        public void LetOneThrough() => _passes.Release();

        public void Open()
        {
            _shut = false;
            _passes.Release(Prefetch); // whatever still waits
        }
    }
}
