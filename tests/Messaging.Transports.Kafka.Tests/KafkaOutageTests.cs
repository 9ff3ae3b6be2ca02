using System.Diagnostics;
using Messaging.Compliance;
using Messaging.Compliance.Outage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

/// <summary>
/// Every broker of a private mock cluster down for 60 s (longer than the outbox's retry budget), and down when the
/// service starts: nothing stranded as Failed, nothing lost or applied twice, a degraded start that attaches by
/// itself. Counted from the database.
/// </summary>
public sealed class KafkaOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    [SkippableFact]
    public async Task Every_broker_down_for_60_s_strands_nothing()
    {
        using var cluster = PrivateCluster.StartMock("every broker taken down and up");
        await using var run = await OutageRun.CreateAsync(OutageDatabase.Sqlite(), Settings(cluster), b => b.AddKafka());
        await run.Host.StartAsync();
        await run.PlaceOrdersAsync(0, 1_000);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied >= 100, Deadline, "orders flowing before the outage");
        run.Logs.Reset();
        var clock = Stopwatch.StartNew();
        SetBrokers(cluster, up: false);
        int sentAtBack;
        try
        {
            await run.PlaceOrdersAsync(1_000, 1_000); // written while every broker is down
            await Eventually.WaitUntilAsync(async () => (await run.HealthAsync("messaging-kafka")).Status == HealthStatus.Unhealthy, Deadline, "the health check to see the outage");
            await Task.Delay(Outage - clock.Elapsed); // the outage itself lasts a fixed time
            var during = await run.OutboxAsync();
            output.WriteLine($"after {clock.Elapsed.TotalSeconds:0} s down: pending {during.Pending}, sent {during.Sent}, failed {during.Failed}, most attempts {during.MaxAttempts}");
            Assert.Equal(0, during.Failed);
            Assert.True(during.Pending > 0, "rows should be waiting for the brokers");
            sentAtBack = during.Sent;
        }
        finally
        {
            SetBrokers(cluster, up: true);
        }
        var back = Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(async () => (await run.OutboxAsync()).Sent > sentAtBack, Deadline, "the first row sent after the brokers came back");
        var firstSent = back.Elapsed;
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 2_000, Deadline, "2,000 orders applied");
        var outbox = await run.OutboxAsync();
        var orders = await run.OrdersAsync();
        output.WriteLine($"placed {orders.Placed}, applied {orders.Applied}, applied twice {orders.AppliedTwice}, lost {orders.Lost}; " +
            $"outbox sent {outbox.Sent}, failed {outbox.Failed}, most attempts {outbox.MaxAttempts}; first row sent {firstSent.TotalSeconds:0.0} s after the brokers were back; " +
            $"log lines during the outage and recovery: {run.Logs.Lines}");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal((2_000, 0, 0), (outbox.Sent, outbox.Failed, outbox.Pending));
        Assert.Equal((2_000, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
    }

    [SkippableFact]
    public async Task Service_starts_while_every_broker_is_down_and_attaches_when_they_are_back()
    {
        using var cluster = PrivateCluster.StartMock("every broker taken down and up");
        var settings = Settings(cluster);
        settings["Messaging:StartupWaitMs"] = "2000";
        await using var run = await OutageRun.CreateAsync(OutageDatabase.Sqlite(), settings, b => b.AddKafka());
        SetBrokers(cluster, up: false);
        try
        {
            await run.Host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)); // starts although the brokers are down
            await Eventually.WaitUntilAsync(async () => (await run.HealthAsync("messaging-kafka")).Status == HealthStatus.Unhealthy, Deadline, "the health check to see the brokers down");
            await run.PlaceOrdersAsync(0, 200); // the outbox accepts writes meanwhile
            var outbox = await run.OutboxAsync();
            Assert.Equal((200, 0, 0), (outbox.Pending, outbox.Sent, outbox.Failed));
        }
        finally
        {
            SetBrokers(cluster, up: true);
        }
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 200, Deadline, "200 orders applied after the brokers came back");
        var orders = await run.OrdersAsync();
        Assert.Equal((200, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        await Eventually.WaitUntilAsync(async () => (await run.HealthAsync("messaging-kafka")).Status == HealthStatus.Healthy, Deadline, "the transport's health to recover");
        output.WriteLine($"log lines (Information and above): {run.Logs.Lines}");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
    }

    private static Dictionary<string, string?> Settings(PrivateCluster cluster) => new(cluster.Settings())
    {
        ["Messaging:Transport"] = "Kafka",
    };

    private static void SetBrokers(PrivateCluster cluster, bool up)
    {
        for (var broker = 1; broker <= 3; broker++)
        {
            if (up) cluster.Mock.SetBrokerUp(broker);
            else cluster.Mock.SetBrokerDown(broker);
        }
    }
}
