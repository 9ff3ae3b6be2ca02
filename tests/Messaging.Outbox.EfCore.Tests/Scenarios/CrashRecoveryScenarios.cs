using Messaging.Diagnostics;
using Messaging.InMemory;
using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>A dispatcher dies between the broker's confirm and marking the row sent: another instance takes the row
/// over once its lease expires and sends it again; the consumer's inbox absorbs the copy.</summary>
public abstract class CrashRecoveryScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Dispatcher_killed_between_confirm_and_mark_sent_resends_and_the_inbox_absorbs_it()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?> { ["Test:Suffix"] = suffix, ["Messaging:Outbox:LeaseMs"] = "1000" };
        var crashing = new CrashAfterSendTransport(new InMemoryTransport());
        var first = await HostAsync(configure: m => m.AddTransport("InMemory", _ => crashing).AddHandler<OrderPlaced, ShipOrderHandler>(), settings: settings);
        await InScopeAsync(first, async services =>
        {
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("R-1"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });
        await crashing.Sent.WaitAsync(TimeSpan.FromSeconds(30));
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Shipments.CountAsync() == 1, "the first delivery was handled");
        await AbandonAsync(first); // does not wait for the hung dispatcher: as good as killed
        var row = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.NotNull(row.LeaseUntil);

        var second = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>(), settings: settings);
        var statistics = second.Services.GetRequiredService<MessagingStatistics>();
        await Wait.UntilAsync(() => statistics.DuplicatesSkipped == 1, "the re-sent copy reached the inbox");
        Assert.Equal(0, statistics.Handled);
        Assert.Equal(1, await check.Shipments.CountAsync());
        await Wait.UntilAsync(async () => (await check.Set<OutboxMessage>().SingleAsync()).Status == OutboxStatus.Sent, "the row is Sent");
        row = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal(0, row.Attempts);
    }
}

public sealed class SqliteCrashRecoveryTests(SqliteDatabase database, ITestOutputHelper output)
    : CrashRecoveryScenarios<SqliteDatabase>(database, output);

public sealed class PostgresCrashRecoveryTests(PostgresDatabase database, ITestOutputHelper output)
    : CrashRecoveryScenarios<PostgresDatabase>(database, output);
