using System.Diagnostics;
using Messaging.Compliance;
using Messaging.Compliance.Outage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// A broker outage longer than the outbox's retry budget (MaxAttempts 10 × MaxBackoffMs 5000 by default) and a broker
/// that is down when the service starts: nothing is stranded as Failed, nothing lost or applied twice, the service
/// starts degraded and attaches by itself. Counted from the database.
/// </summary>
[Collection(BrokerFaultCollection.Name)]
public sealed class OutageTests(FaultBroker broker, ITestOutputHelper output) : IClassFixture<FaultBroker>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    [SkippableFact]
    public Task A_60_s_broker_stop_strands_nothing_on_SQLite() => RideThroughAsync(OutageDatabase.Sqlite());

    [SkippableFact]
    public Task A_60_s_broker_stop_strands_nothing_on_PostgreSQL() => RideThroughAsync(OutageDatabase.Postgres());

    [SkippableFact]
    public async Task Service_starts_while_the_broker_is_down_and_attaches_when_it_is_back()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        await using var run = await OutageRun.CreateAsync(OutageDatabase.Sqlite(), Settings(), b => b.AddRabbitMq());
        await broker.Control.StopAppAsync();
        try
        {
            await run.Host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)); // starts although the broker is down
            Assert.Equal(HealthStatus.Unhealthy, (await run.HealthAsync("messaging-rabbitmq")).Status);
            await run.PlaceOrdersAsync(0, 200); // the outbox accepts writes meanwhile
            Assert.Equal((200, 0, 0), Pick(await run.OutboxAsync()));
        }
        finally
        {
            await broker.Control.StartAppAsync();
        }
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 200, Deadline, "200 orders applied after the broker came back");
        var orders = await run.OrdersAsync();
        Assert.Equal((200, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        await Eventually.WaitUntilAsync(async () => (await run.HealthAsync("messaging-rabbitmq")).Status == HealthStatus.Healthy, Deadline, "the transport's health to recover");
        output.WriteLine($"log lines (Information and above): {run.Logs.Lines}");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
    }

    private async Task RideThroughAsync(OutageDatabase database)
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        await using var run = await OutageRun.CreateAsync(database, Settings(), b => b.AddRabbitMq());
        await run.Host.StartAsync();
        await run.PlaceOrdersAsync(0, 1_000);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied >= 100, Deadline, "orders flowing before the outage");
        run.Logs.Reset();
        var clock = Stopwatch.StartNew();
        await broker.Control.StopAppAsync();
        int sentAtBack;
        try
        {
            await run.PlaceOrdersAsync(1_000, 1_000); // written while the broker is down
            await Eventually.WaitUntilAsync(async () => (await run.HealthAsync("messaging-rabbitmq")).Status == HealthStatus.Unhealthy, Deadline, "the health check to see the outage");
            await Task.Delay(Outage - clock.Elapsed); // the outage itself lasts a fixed time: longer than the retry budget
            var during = await run.OutboxAsync();
            output.WriteLine($"after {clock.Elapsed.TotalSeconds:0} s down: pending {during.Pending}, sent {during.Sent}, failed {during.Failed}, most attempts {during.MaxAttempts}");
            Assert.Equal(0, during.Failed);
            Assert.True(during.Pending > 0, "rows should be waiting for the broker");
            sentAtBack = during.Sent;
        }
        finally
        {
            await broker.Control.StartAppAsync();
        }
        var back = Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(async () => (await run.OutboxAsync()).Sent > sentAtBack, Deadline, "the first row sent after the broker came back");
        var firstSent = back.Elapsed;
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 2_000, Deadline, "2,000 orders applied");
        var outbox = await run.OutboxAsync();
        var orders = await run.OrdersAsync();
        output.WriteLine($"{database.Name}: placed {orders.Placed}, applied {orders.Applied}, applied twice {orders.AppliedTwice}, lost {orders.Lost}; " +
            $"outbox sent {outbox.Sent}, failed {outbox.Failed}, most attempts {outbox.MaxAttempts}; first row sent {firstSent.TotalSeconds:0.0} s after the broker was back; " +
            $"log lines during the outage and recovery: {run.Logs.Lines}");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal((2_000, 0, 0), (outbox.Sent, outbox.Failed, outbox.Pending));
        Assert.Equal((2_000, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Uri"] = broker.Uri,
        ["Messaging:RabbitMq:ClientProvidedName"] = Names.Unique("outage"),
    };

    private static (int Pending, int Sent, int Failed) Pick((int Pending, int Sent, int Failed, int MaxAttempts) outbox) =>
        (outbox.Pending, outbox.Sent, outbox.Failed);
}
