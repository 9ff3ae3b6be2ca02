using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The dispatcher wakes when a commit that wrote outbox rows completes, not on its poll interval (here a minute).</summary>
public abstract class WakeUpScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    protected static Dictionary<string, string?> SlowPolling => new() { ["Messaging:Outbox:PollIntervalMs"] = "60000" };

    [Fact]
    public async Task Commit_of_an_explicit_transaction_wakes_the_dispatcher()
    {
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>(), settings: SlowPolling);
        await EnqueueAsync(host, "W-1", explicitTransaction: false);
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == 1, "the auto-committed row is Sent", 10_000);

        await EnqueueAsync(host, "W-2", explicitTransaction: true);
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == 2,
            "the row committed in an explicit transaction is Sent well before the next poll", 10_000);
    }

    protected static Task<int> EnqueueAsync(IHost host, string order, bool explicitTransaction) => InScopeAsync(host, async services =>
    {
        var db = services.GetRequiredService<ShopContext>();
        await using var transaction = explicitTransaction ? await db.Database.BeginTransactionAsync() : null;
        db.Orders.Add(new Order { Number = order });
        services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced(order));
        var saved = await db.SaveChangesAsync();
        if (transaction is not null) await transaction.CommitAsync();
        return saved;
    });
}

public sealed class SqliteWakeUpTests(SqliteDatabase database, ITestOutputHelper output)
    : WakeUpScenarios<SqliteDatabase>(database, output);

public sealed class PostgresWakeUpTests(PostgresDatabase database, ITestOutputHelper output)
    : WakeUpScenarios<PostgresDatabase>(database, output)
{
    [Fact]
    public async Task Listen_notify_wakes_a_dispatcher_in_another_instance()
    {
        var settings = SlowPolling;
        settings["Messaging:Outbox:UseListenNotify"] = "true";
        settings["Test:Suffix"] = Guid.NewGuid().ToString("N")[..12];
        var writer = await HostAsync(start: false, settings: settings); // its own dispatcher never runs
        var dispatcher = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>(), settings: settings);
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'").SingleAsync() == 1,
            "the other instance listens");

        for (var i = 1; i <= 2; i++) // the second can only be woken by NOTIFY
        {
            await EnqueueAsync(writer, $"L-{i}", explicitTransaction: true);
            var sent = i;
            await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == sent, $"row {i} is Sent", 10_000);
        }
        var probe = dispatcher.Services.GetRequiredService<Probe>();
        await Wait.UntilAsync(() => probe.Seen.Count == 2, "the listening instance handled both");
    }
}
