using System.Diagnostics;
using Messaging.Testing;
using Messaging.Outage;
using Messaging.Tests.Containers;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// A broker outage longer than the outbox's whole retry budget and a broker that is down when the service starts:
/// nothing is stranded as Failed, nothing lost or applied twice, the service starts degraded and attaches by itself,
/// the first row goes out soon after the broker is back, and the person on call reads a handful of lines. Counted from
/// the database.
/// </summary>
[Collection(BrokerFaultCollection.Name)]
public sealed class OutageTests(FaultBroker broker, ITestOutputHelper output) : IClassFixture<FaultBroker>
{
    // A small retry budget (3 attempts, at most 1 s of backoff between them) lets a short outage outlast it several times
    // over: a dispatcher that spent attempts on the outage would strand rows as Failed within about 3 s of its start.
    private const int MaxAttempts = 3;
    private const int MaxBackoffMs = 1_000;
    private const int RecoveryIntervalMs = 5_000; // the client's default: how often it tries to reconnect
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    [SkippableFact]
    public Task A_broker_stop_longer_than_the_retry_budget_strands_nothing_on_SQLite() => RideThroughAsync(() => Task.FromResult(OutageDatabase.Sqlite()));

    [SkippableFact]
    public Task A_broker_stop_longer_than_the_retry_budget_strands_nothing_on_PostgreSQL() =>
        RideThroughAsync(async () => OutageDatabase.Postgres(await PostgresServer.ConnectionStringAsync()));

    [SkippableFact]
    public async Task Service_starts_while_the_broker_is_down_and_attaches_when_it_is_back()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        // The default retry budget here: rows published while the consumer is still declaring its queue come back
        // unroutable, and those attempts count.
        await using var run = await OutageRun.CreateAsync(OutageDatabase.Sqlite(), Settings(smallRetryBudget: false), b => b.AddRabbitMq());
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
        output.WriteLine($"log lines (Information and above): {run.Logs.Lines} ({run.Logs.Summary()})");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal(1, run.Logs.Count(1008)); // one line: the host starts degraded
        AssertOutageLog(run.Logs, most: 25); // with start-up's own lines
    }

    private async Task RideThroughAsync(Func<Task<OutageDatabase>> createDatabase)
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var database = await createDatabase();
        await using var run = await OutageRun.CreateAsync(database, Settings(smallRetryBudget: true), b => b.AddRabbitMq());
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
            // The outage lasts a fixed time, longer than the retry budget (set-up may already have taken longer than that).
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, (Outage - clock.Elapsed).TotalMilliseconds)));
            var during = await run.OutboxAsync();
            output.WriteLine($"after {clock.Elapsed.TotalSeconds:0} s down: pending {during.Pending}, sent {during.Sent}, failed {during.Failed}, most attempts {during.MaxAttempts}");
            Assert.Equal(0, during.Failed);
            Assert.Equal(0, during.MaxAttempts); // an outage spends no attempt
            Assert.True(during.Pending > 0, "rows should be waiting for the broker");
            sentAtBack = during.Sent;
        }
        finally
        {
            await broker.Control.StartAppAsync();
        }
        var (reconnected, firstSent) = await RecoveryAsync(run, sentAtBack);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 2_000, Deadline, "2,000 orders applied");
        var outbox = await run.OutboxAsync();
        var orders = await run.OrdersAsync();
        output.WriteLine($"{database.Name} ({database.Location}): placed {orders.Placed}, applied {orders.Applied}, applied twice {orders.AppliedTwice}, lost {orders.Lost}; " +
            $"outbox sent {outbox.Sent}, failed {outbox.Failed}, most attempts {outbox.MaxAttempts}; the transport reached the broker {reconnected.TotalSeconds:0.0} s " +
            $"after it was back, the first row went out {firstSent.TotalSeconds:0.0} s after it was back; " +
            $"log lines during the outage and recovery: {run.Logs.Lines} ({run.Logs.Summary()})");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal((2_000, 0, 0), (outbox.Sent, outbox.Failed, outbox.Pending));
        Assert.Equal((2_000, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        // The README's claim: the client reconnects on its next recovery attempt (every RecoveryIntervalMs), and the first row
        // goes out within a second of that. 2 s more each for this test's polling (100 ms) on a loaded machine.
        Assert.True(reconnected <= TimeSpan.FromMilliseconds(RecoveryIntervalMs + 2_000),
            $"the transport reached the broker {reconnected.TotalSeconds:0.0} s after it was back; RecoveryIntervalMs is {RecoveryIntervalMs} ms");
        Assert.True(firstSent - reconnected <= TimeSpan.FromSeconds(3),
            $"the first row went out {(firstSent - reconnected).TotalSeconds:0.0} s after the transport reached the broker again");
        AssertOutageLog(run.Logs, most: 15);
    }

    /// <summary>From the broker's return: when the transport's health stopped saying Unhealthy, and when the first row
    /// written during the outage was sent. Both read in one loop, so they share its clock.</summary>
    private static async Task<(TimeSpan Reconnected, TimeSpan FirstSent)> RecoveryAsync(OutageRun run, int sentAtBack)
    {
        var back = Stopwatch.StartNew();
        TimeSpan? reconnected = null;
        while (true)
        {
            if (reconnected is null && (await run.HealthAsync("messaging-rabbitmq")).Status != HealthStatus.Unhealthy) reconnected = back.Elapsed;
            if ((await run.OutboxAsync()).Sent > sentAtBack) return (reconnected ?? back.Elapsed, back.Elapsed);
            if (back.Elapsed > Deadline) throw new TimeoutException($"No row was sent within {Deadline.TotalSeconds:0} s of the broker's return.");
            await Task.Delay(100);
        }
    }

    /// <summary>What the README promises the person on call: one Warning when the transport loses its broker (1004) and
    /// one line when it is back (1006); one Warning when the outbox pauses (4011) and one line when it resumes (4013); the
    /// summaries (1005, 4012) at most once a minute. A few lines more at most (the consumers' own), never one per row or
    /// per reconnection attempt.</summary>
    private static void AssertOutageLog(LogCounter logs, int most)
    {
        Assert.Equal((1, 1, 1, 1), (logs.Count(1004), logs.Count(1006), logs.Count(4011), logs.Count(4013)));
        Assert.True(logs.Count(1005) <= 1 && logs.Count(4012) <= 1, $"summaries more often than once a minute: {logs.Summary()}");
        Assert.True(logs.Lines <= most, $"{logs.Lines} log lines (Information and above), more than {most}: {logs.Summary()}");
    }

    private Dictionary<string, string?> Settings(bool smallRetryBudget)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Uri"] = broker.Uri,
            ["Messaging:RabbitMq:ClientProvidedName"] = Names.Unique("outage"),
            ["Messaging:RabbitMq:RecoveryIntervalMs"] = RecoveryIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (smallRetryBudget)
        {
            settings["Messaging:Outbox:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Messaging:Outbox:MaxBackoffMs"] = MaxBackoffMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return settings;
    }

    private static (int Pending, int Sent, int Failed) Pick((int Pending, int Sent, int Failed, int MaxAttempts) outbox) =>
        (outbox.Pending, outbox.Sent, outbox.Failed);
}
