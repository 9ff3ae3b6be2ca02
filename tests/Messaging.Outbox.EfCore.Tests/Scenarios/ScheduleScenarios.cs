using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>A scheduled row waits for its time without holding back the rows behind it, then goes out.</summary>
public abstract class ScheduleScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Scheduled_row_is_published_only_when_due()
    {
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>());
        var due = DateTimeOffset.UtcNow.AddMilliseconds(1_500);
        await InScopeAsync(host, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            outbox.Schedule(new OrderPlaced("T-later"), due, new PublishOptions { PartitionKey = "T" });
            outbox.Enqueue(new OrderPlaced("T-now"), new PublishOptions { PartitionKey = "T" });
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Shipments.AnyAsync(s => s.OrderNumber == "T-now"), "the unscheduled row went out");
        var scheduled = await check.Set<OutboxMessage>().OrderBy(m => m.Id).FirstAsync();
        if (DateTimeOffset.UtcNow < due) Assert.Equal(OutboxStatus.Pending, scheduled.Status);
        await Wait.UntilAsync(async () => await check.Shipments.AnyAsync(s => s.OrderNumber == "T-later"), "the scheduled row went out", 10_000);
        // Marked Sent after the confirm, possibly after the handler already ran (PostgreSQL records while claiming next).
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).Select(m => m.Status).FirstAsync() == OutboxStatus.Sent,
            "the scheduled row marked Sent");
        scheduled = await check.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).FirstAsync();
        Assert.Equal(due.UtcDateTime, scheduled.NotBefore!.Value, TimeSpan.FromMilliseconds(1));
        Assert.True(scheduled.SentAt >= scheduled.NotBefore, $"sent at {scheduled.SentAt:O}, due {scheduled.NotBefore:O}");
    }
}

public sealed class SqliteScheduleTests(SqliteDatabase database, ITestOutputHelper output)
    : ScheduleScenarios<SqliteDatabase>(database, output);

public sealed class PostgresScheduleTests(PostgresDatabase database, ITestOutputHelper output)
    : ScheduleScenarios<PostgresDatabase>(database, output);
