using System.Diagnostics;
using Messaging.Testing;
using Messaging.Outage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

/// <summary>
/// Every broker of a private mock cluster down for longer than the outbox's whole retry budget, and down when the service
/// starts: nothing stranded as Failed, nothing lost or applied twice, a degraded start that attaches by itself, a first
/// row sent soon after the brokers are back and few log lines for the person on call. Counted from the database.
/// </summary>
public sealed class KafkaOutageTests(ITestOutputHelper output)
{
    /// <summary>The retry budget is small so that a short outage outlasts it: were the outage spending attempts, a row would
    /// be Failed after at most 3 attempts x 5 s delivery timeout + 2 backoffs of at most 1 s = 17 s, and a record queued in
    /// librdkafka when the brokers went times out after 5 s; 20 s is longer than both (the defaults, 10 attempts and 30 s,
    /// needed a 60 s outage for the same).</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private static readonly Dictionary<string, string?> RetryBudget = new()
    {
        ["Messaging:Outbox:MaxAttempts"] = "3",
        ["Messaging:Outbox:MaxBackoffMs"] = "1000",
        ["Messaging:Kafka:MessageTimeoutMs"] = "5000",
    };
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>README ("Outages, start-up and health checks"): the first row goes out soon after the brokers return (measured:
    /// within a second). What the design promises: the transport's recovery probe asks for metadata at most 10 s (+20 %
    /// jitter) apart, and the outbox probes at once when the transport sees its brokers again: 15 s.</summary>
    private static readonly TimeSpan FirstRowBound = TimeSpan.FromSeconds(15);

    /// <summary>README: an outage writes a handful of lines at Information and above, not one per attempt (a 60 s outage wrote 13).</summary>
    private const int LogLineBound = 20;

    [SkippableFact]
    public async Task Every_broker_down_longer_than_the_retry_budget_strands_nothing()
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
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (Outage - clock.Elapsed).Ticks))); // the outage itself lasts a fixed time
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
            $"log lines during the outage and recovery: {run.Logs.Lines} (transport lost {run.Logs.Count(1004)}, back {run.Logs.Count(1006)}; outbox paused {run.Logs.Count(4011)}, resumed {run.Logs.Count(4013)})");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal((2_000, 0, 0), (outbox.Sent, outbox.Failed, outbox.Pending));
        Assert.Equal((2_000, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        Assert.True(firstSent <= FirstRowBound, $"first row sent {firstSent.TotalSeconds:0.0} s after the brokers were back (bound {FirstRowBound.TotalSeconds:0} s)");
        Assert.Equal((1, 1, 1, 1), (run.Logs.Count(1004), run.Logs.Count(1006), run.Logs.Count(4011), run.Logs.Count(4013))); // one line each way
        Assert.InRange(run.Logs.Lines, 4, LogLineBound);
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

    private static Dictionary<string, string?> Settings(PrivateCluster cluster) => new(cluster.Settings(new(RetryBudget)))
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
