using Messaging.Diagnostics;
using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The dispatcher publishes committed rows with confirmation and records the outcome per row.</summary>
public abstract class DispatcherScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Dispatcher_publishes_pending_rows_and_marks_them_sent()
    {
        const int count = 120;
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>(),
            // The dispatcher alone: with flush on commit too, the two could each take part of the rows (neither knows a key
            // to order them by) and the handler would see them interleaved.
            settings: new Dictionary<string, string?> { ["Messaging:Outbox:BatchSize"] = "50", ["Messaging:Outbox:FlushOnCommit"] = "false" });
        await InScopeAsync(host, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            for (var i = 0; i < count; i++) outbox.Enqueue(new OrderPlaced($"D-{i}"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        var probe = host.Services.GetRequiredService<Probe>();
        await Wait.UntilAsync(() => probe.Seen.Count >= count, $"the handler saw {count} messages");
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == count,
            $"all {count} rows are Sent");
        await Wait.UntilAsync(async () => await check.Shipments.CountAsync() == count, $"{count} shipments are committed");

        var rows = await check.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync();
        Assert.All(rows, r => Assert.NotNull(r.SentAt));
        Assert.All(rows, r => Assert.Equal(0, r.Attempts));
        Assert.Equal(rows.Select(r => r.MessageId), probe.Seen); // in id order
        Assert.Equal(count, host.Services.GetRequiredService<MessagingStatistics>().Published);
    }

    [Fact]
    public async Task Unconfirmed_rows_stay_pending_with_error()
    {
        var host = await HostAsync(settings: new Dictionary<string, string?> { ["Messaging:Outbox:MaxAttempts"] = "1000" });
        await EnqueueUnroutedAsync(host);

        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => (await check.Set<OutboxMessage>().SingleAsync()).Attempts >= 3, "the row was tried 3 times");
        var row = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Contains("Unroutable", row.LastError, StringComparison.Ordinal);
        Assert.Null(row.SentAt);
        Assert.Equal(0, host.Services.GetRequiredService<MessagingStatistics>().Published);
    }

    [Fact]
    public async Task Unconfirmed_row_is_marked_failed_after_max_attempts_and_later_rows_still_go_out()
    {
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>(),
            settings: new Dictionary<string, string?> { ["Messaging:Outbox:MaxAttempts"] = "3" });
        await EnqueueUnroutedAsync(host);

        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => (await check.Set<OutboxMessage>().SingleAsync()).Status == OutboxStatus.Failed, "the row is Failed");
        var failed = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal(3, failed.Attempts);
        Assert.NotNull(failed.LastError);

        await InScopeAsync(host, async services =>
        {
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("E-1"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == 1, "the next row is Sent");
        Assert.Equal(3, (await check.Set<OutboxMessage>().SingleAsync(m => m.Id == failed.Id)).Attempts);
    }

    [Fact]
    public async Task Unreadable_row_is_failed_at_once_and_does_not_stall_the_outbox()
    {
        var host = await HostAsync(start: false, configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>());
        await InScopeAsync(host, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            outbox.Enqueue(new OrderPlaced("K-1"));
            outbox.Enqueue(new OrderPlaced("K-2"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });
        await using var check = Database.CreateContext();
        var first = await check.Set<OutboxMessage>().OrderBy(m => m.Id).FirstAsync();
        await check.Database.ExecuteSqlAsync($"UPDATE messaging_outbox SET headers = 'not json' WHERE id = {first.Id}");

        await StartAsync(host);
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == 1, "the readable row is Sent");
        var broken = await check.Set<OutboxMessage>().SingleAsync(m => m.Id == first.Id);
        Assert.Equal(OutboxStatus.Failed, broken.Status);
        Assert.Equal(1, broken.Attempts);
        Assert.Contains("headers", broken.LastError, StringComparison.Ordinal);
    }

    private static Task<int> EnqueueUnroutedAsync(Microsoft.Extensions.Hosting.IHost host) => InScopeAsync(host, async services =>
    {
        services.GetRequiredService<IOutbox>().Enqueue(new Unrouted("nobody listens"));
        return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
    });
}

public sealed class SqliteDispatcherTests(SqliteDatabase database, ITestOutputHelper output)
    : DispatcherScenarios<SqliteDatabase>(database, output);

public sealed class PostgresDispatcherTests(PostgresDatabase database, ITestOutputHelper output)
    : DispatcherScenarios<PostgresDatabase>(database, output);
