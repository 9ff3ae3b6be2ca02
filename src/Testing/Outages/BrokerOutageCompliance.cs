using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Testing.Outages;

/// <summary>
/// What a transport must do when its broker goes away, as xUnit facts: a service whose broker is down longer than the
/// outbox's whole retry budget strands nothing (no row Failed, nothing lost, nothing applied twice), its health says
/// Unhealthy and then Healthy, the first row goes out soon after the broker is back, and the person on call reads one
/// line each way rather than one per attempt; a service started while the broker is down starts degraded, accepts
/// writes and attaches by itself. Each run is a small order service (<see cref="OutageRun"/>: business row and outbox
/// row in one transaction, inbox and handler row in another) counted from its database. A transport's test project
/// derives one class: <c>public class MyOutages(MyFaultFixture f, ITestOutputHelper o) : BrokerOutageCompliance&lt;MyFaultFixture&gt;(f, o)</c>.
/// The tests take the fixture's broker away, so the deriving class must not run in parallel with others using it.
/// </summary>
/// <typeparam name="TFixture">The transport's fixture, with a broker of its own it can take away.</typeparam>
/// <param name="fixture">The fixture xUnit created for the deriving class.</param>
/// <param name="output">Where the runs' figures and warnings are written.</param>
public abstract class BrokerOutageCompliance<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : class, ITransportFixture, IBrokerFaults
{
    /// <summary>The retry budget of the runs: 3 attempts, at most 1 s of backoff between them, so that the outage
    /// outlasts it many times over. A dispatcher that spent attempts on an outage would leave rows Failed.</summary>
    private static readonly Dictionary<string, string?> SmallRetryBudget = new()
    {
        ["Messaging:Outbox:MaxAttempts"] = "3",
        ["Messaging:Outbox:MaxBackoffMs"] = "1000",
    };

    /// <summary>Longest wait for anything the tests expect after the broker is back: 180 s.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    /// <summary>The real clock: the outage's length and the recovery times are wall time.</summary>
    private static readonly TimeProvider Wall = TimeProvider.System;

    /// <summary>The fixture xUnit created once for the deriving class.</summary>
    protected TFixture Fixture { get; } = fixture;

    /// <summary>How long the broker stays away: 20 s by default, longer than the retry budget and than a record's
    /// delivery timeout a transport may set in the fixture's settings.</summary>
    protected virtual TimeSpan Outage => TimeSpan.FromSeconds(20);

    /// <summary>Longest time from the broker's return to the first row sent: 15 s by default (the transport's reconnect
    /// interval plus the outbox's probe).</summary>
    protected virtual TimeSpan FirstRowBound => TimeSpan.FromSeconds(15);

    /// <summary>When set, the longest time from the broker's return to the transport's health leaving Unhealthy (its
    /// client's reconnect interval and some slack), and the first row must then go out within 3 s of that. Null (the
    /// default) checks only <see cref="FirstRowBound"/>.</summary>
    protected virtual TimeSpan? ReconnectBound => null;

    /// <summary>True when the transport reports the outage before a send fails, so that no outbox row spends an attempt
    /// on it (their <c>attempts</c> stay 0). False by default: a send already in flight may fail first and count.</summary>
    protected virtual bool OutageSpendsNoAttempt => false;

    /// <summary>Most log lines (Information and above) an outage and its recovery may write: 20 by default.</summary>
    protected virtual int MostLogLines => 20;

    /// <summary>The database of a run: a temporary SQLite file unless overridden.</summary>
    protected virtual Task<OutageDatabase> CreateDatabaseAsync() => Task.FromResult(OutageDatabase.Sqlite());

    /// <summary>The transport's health check: <c>messaging-</c> and the transport's name in lower case.</summary>
    protected string HealthCheck => "messaging-" + Fixture.TransportName.ToLowerInvariant();

    /// <summary>1,000 orders flow; the broker goes away for <see cref="Outage"/> while 1,000 more are placed; then it is
    /// back. No row is Failed during the outage and rows wait Pending; the health check says Unhealthy; after the return
    /// the first row is sent within <see cref="FirstRowBound"/>; all 2,000 orders are applied exactly once and every row is
    /// Sent; the transport and the outbox each log one line when the outage starts (events 1004, 4011) and one when it
    /// ends (1006, 4013), summaries (1005, 4012) at most once, at most <see cref="MostLogLines"/> lines in all.</summary>
    [SkippableFact]
    public async Task Broker_outage_longer_than_the_retry_budget_strands_nothing()
    {
        Skip.If(Fixture.WhyNoFaults is not null, Fixture.WhyNoFaults);
        var database = await CreateDatabaseAsync();
        await using var run = await OutageRun.CreateAsync(database, Settings(SmallRetryBudget), Fixture.Register);
        await run.Host.StartAsync();
        await run.PlaceOrdersAsync(0, 1_000);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied >= 100, Deadline, "orders flowing before the outage");
        run.Logs.Reset();
        var down = Wall.GetTimestamp();
        await Fixture.TakeBrokerDownAsync();
        int sentAtBack;
        try
        {
            await run.PlaceOrdersAsync(1_000, 1_000); // written while the broker is away
            await Eventually.WaitUntilAsync(async () => (await run.HealthAsync(HealthCheck)).Status == HealthStatus.Unhealthy, Deadline, "the health check to see the outage");
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (Outage - Wall.GetElapsedTime(down)).Ticks)), Wall); // the outage itself lasts a fixed time
            var during = await run.OutboxAsync();
            output.WriteLine($"after {Wall.GetElapsedTime(down).TotalSeconds:0} s down: pending {during.Pending}, sent {during.Sent}, failed {during.Failed}, most attempts {during.MaxAttempts}");
            Assert.Equal(0, during.Failed);
            if (OutageSpendsNoAttempt) Assert.Equal(0, during.MaxAttempts);
            Assert.True(during.Pending > 0, "rows should be waiting for the broker");
            sentAtBack = during.Sent;
        }
        finally
        {
            await Fixture.BringBrokerBackAsync();
        }
        var (reconnected, firstSent) = await RecoveryAsync(run, sentAtBack);
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 2_000, Deadline, "2,000 orders applied");
        var outbox = await run.OutboxAsync();
        var orders = await run.OrdersAsync();
        output.WriteLine($"{database.Name} ({database.Location}): placed {orders.Placed}, applied {orders.Applied}, applied twice {orders.AppliedTwice}, " +
            $"lost {orders.Lost}; outbox sent {outbox.Sent}, failed {outbox.Failed}, most attempts {outbox.MaxAttempts}; healthy again " +
            $"{reconnected.TotalSeconds:0.0} s and first row sent {firstSent.TotalSeconds:0.0} s after the broker was back; " +
            $"log lines during the outage and recovery: {run.Logs.Lines} ({run.Logs.Summary()})");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal((2_000, 0, 0), (outbox.Sent, outbox.Failed, outbox.Pending));
        Assert.Equal((2_000, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        Assert.True(firstSent <= FirstRowBound, $"first row sent {firstSent.TotalSeconds:0.0} s after the broker was back (bound {FirstRowBound.TotalSeconds:0} s)");
        if (ReconnectBound is { } reconnectBound)
        {
            Assert.True(reconnected <= reconnectBound, $"healthy again {reconnected.TotalSeconds:0.0} s after the broker was back (bound {reconnectBound.TotalSeconds:0} s)");
            Assert.True(firstSent - reconnected <= TimeSpan.FromSeconds(3), $"first row sent {(firstSent - reconnected).TotalSeconds:0.0} s after the transport was healthy again");
        }
        Assert.Equal((1, 1, 1, 1), (run.Logs.Count(1004), run.Logs.Count(1006), run.Logs.Count(4011), run.Logs.Count(4013)));
        Assert.True(run.Logs.Count(1005) <= 1 && run.Logs.Count(4012) <= 1, $"summaries more often than once a minute: {run.Logs.Summary()}");
        Assert.True(run.Logs.Lines <= MostLogLines, $"{run.Logs.Lines} log lines (Information and above), more than {MostLogLines}: {run.Logs.Summary()}");
    }

    /// <summary>The broker is away when the service starts (<c>Messaging:StartupWaitMs</c> 2 s): the host starts within
    /// 30 s anyway, its health check says Unhealthy, the outbox accepts 200 orders that stay Pending, and once the broker
    /// is back all 200 are applied exactly once and the health check says Healthy; the host logs that it starts degraded
    /// (event 1008) once.</summary>
    [SkippableFact]
    public async Task Service_starts_while_the_broker_is_down_and_attaches_when_it_is_back()
    {
        Skip.If(Fixture.WhyNoFaults is not null, Fixture.WhyNoFaults);
        // The default retry budget: a fresh queue may refuse the first rows.
        var settings = Settings(new() { ["Messaging:StartupWaitMs"] = "2000" });
        await using var run = await OutageRun.CreateAsync(await CreateDatabaseAsync(), settings, Fixture.Register);
        await Fixture.TakeBrokerDownAsync();
        try
        {
            await run.Host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await Eventually.WaitUntilAsync(async () => (await run.HealthAsync(HealthCheck)).Status == HealthStatus.Unhealthy, Deadline, "the health check to see the broker down");
            await run.PlaceOrdersAsync(0, 200);
            var outbox = await run.OutboxAsync();
            Assert.Equal((200, 0, 0), (outbox.Pending, outbox.Sent, outbox.Failed));
        }
        finally
        {
            await Fixture.BringBrokerBackAsync();
        }
        await Eventually.WaitUntilAsync(async () => (await run.OrdersAsync()).Applied == 200, Deadline, "200 orders applied after the broker came back");
        var orders = await run.OrdersAsync();
        Assert.Equal((200, 0, 0), (orders.Applied, orders.AppliedTwice, orders.Lost));
        await Eventually.WaitUntilAsync(async () => (await run.HealthAsync(HealthCheck)).Status == HealthStatus.Healthy, Deadline, "the transport's health to recover");
        output.WriteLine($"log lines (Information and above): {run.Logs.Lines} ({run.Logs.Summary()})");
        foreach (var line in run.Logs.Warnings) output.WriteLine(line);
        Assert.Equal(1, run.Logs.Count(1008));
    }

    /// <summary>The fixture's settings and the transport's name, then <paramref name="extra"/>.</summary>
    private Dictionary<string, string?> Settings(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>(Fixture.Settings) { ["Messaging:Transport"] = Fixture.TransportName };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    /// <summary>From the broker's return: when the transport's health stopped saying Unhealthy, and when the first row
    /// written during the outage was sent; read in one loop (every 100 ms), so they share its clock.</summary>
    private async Task<(TimeSpan Reconnected, TimeSpan FirstSent)> RecoveryAsync(OutageRun run, int sentAtBack)
    {
        var back = Wall.GetTimestamp();
        TimeSpan? reconnected = null;
        while (true)
        {
            if (reconnected is null && (await run.HealthAsync(HealthCheck)).Status != HealthStatus.Unhealthy) reconnected = Wall.GetElapsedTime(back);
            if ((await run.OutboxAsync()).Sent > sentAtBack) return (reconnected ?? Wall.GetElapsedTime(back), Wall.GetElapsedTime(back));
            if (Wall.GetElapsedTime(back) > Deadline) throw new TimeoutException($"No row was sent within {Deadline.TotalSeconds:0} s of the broker's return.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), Wall);
        }
    }
}
