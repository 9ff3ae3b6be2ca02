using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The outbox row is part of the application's own transaction: committed with it, or not at all.</summary>
public abstract class OutboxTransactionScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Outbox_row_commits_with_business_row()
    {
        var host = await HostAsync(start: false);
        await InScopeAsync(host, async services =>
        {
            var db = services.GetRequiredService<ShopContext>();
            db.Orders.Add(new Order { Number = "A-1" });
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("A-1"), new Publishing.PublishOptions { PartitionKey = "A", CorrelationId = "corr-1" });
            return await db.SaveChangesAsync();
        });

        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Orders.CountAsync());
        var row = Assert.Single(await check.Set<OutboxMessage>().ToListAsync());
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Equal(typeof(OrderPlaced).FullName, row.MessageType);
        Assert.StartsWith("orders-", row.Destination, StringComparison.Ordinal);
        Assert.Equal("A", row.PartitionKey);
        Assert.Equal("corr-1", row.CorrelationId);
        Assert.Equal(0, row.Attempts);
        Assert.Null(row.SentAt);
        Assert.Equal(DateTimeKind.Utc, row.CreatedAt.Kind);
        Assert.Equal("{\"number\":\"A-1\"}", System.Text.Encoding.UTF8.GetString(row.Body));
        // readable with plain SQL: status is text, not a number
        var status = await check.Database.SqlQueryRaw<string>("SELECT status AS \"Value\" FROM messaging_outbox").SingleAsync();
        Assert.Equal("Pending", status);
    }

    [Fact]
    public async Task Rolled_back_transaction_leaves_no_outbox_row()
    {
        var host = await HostAsync(start: false);
        await InScopeAsync(host, async services =>
        {
            var db = services.GetRequiredService<ShopContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Number = "B-1" });
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("B-1"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
            return 0;
        });

        await using var check = Database.CreateContext();
        Assert.Equal(0, await check.Orders.CountAsync());
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync());
    }

    [Fact]
    public async Task Failed_SaveChanges_on_a_constraint_leaves_no_outbox_row()
    {
        await using (var seed = Database.CreateContext())
        {
            seed.Orders.Add(new Order { Number = "C-1" });
            await seed.SaveChangesAsync();
        }
        var host = await HostAsync(start: false);
        await InScopeAsync(host, async services =>
        {
            var db = services.GetRequiredService<ShopContext>();
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("C-1"));
            db.Orders.Add(new Order { Number = "C-1" }); // unique index violation
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            return 0;
        });

        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Orders.CountAsync());
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync());
    }
}

public sealed class SqliteOutboxTransactionTests(SqliteDatabase database, ITestOutputHelper output)
    : OutboxTransactionScenarios<SqliteDatabase>(database, output);

public sealed class PostgresOutboxTransactionTests(PostgresDatabase database, ITestOutputHelper output)
    : OutboxTransactionScenarios<PostgresDatabase>(database, output);
