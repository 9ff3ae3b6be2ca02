using Messaging.Diagnostics;
using Messaging.Handling;
using Messaging.Outbox.Inbox;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The inbox makes each handler's database effect happen once per message id.</summary>
public abstract class InboxScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Duplicate_message_id_is_handled_once_with_the_inbox()
    {
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>());
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("F-1"), typeof(OrderPlaced));
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        await publisher.PublishEnvelopeAsync(envelope);
        await publisher.PublishEnvelopeAsync(envelope);

        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        await Wait.UntilAsync(() => statistics.Handled + statistics.DuplicatesSkipped == 2, "both deliveries were processed");
        Assert.Equal(1, statistics.Handled);
        Assert.Equal(1, statistics.DuplicatesSkipped);
        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Shipments.CountAsync());
        var inbox = Assert.Single(await check.Set<InboxRecord>().ToListAsync());
        Assert.Equal(envelope.MessageId, inbox.MessageId);
        Assert.Equal(typeof(ShipOrderHandler).FullName, inbox.HandlerName);
        Assert.True(inbox.ProcessedAt >= inbox.ReceivedAt);
    }

    [Fact]
    public async Task Handler_failure_rolls_back_inbox_row()
    {
        var host = await HostAsync(configure: m => m.AddHandler<OrderPlaced, ShipOrderHandler>());
        host.Services.GetRequiredService<Probe>().FailFirstAttempt = true;
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new OrderPlaced("G-1"));

        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        await Wait.UntilAsync(() => statistics.Handled == 1, "the second attempt succeeded");
        Assert.Equal(1, statistics.Retries);
        Assert.Equal(0, statistics.DuplicatesSkipped);
        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Shipments.CountAsync());
        Assert.Equal(1, await check.Set<InboxRecord>().CountAsync());
    }

    [Fact]
    public async Task Concurrent_duplicate_is_skipped_without_running_the_handler_twice()
    {
        // A transaction per message (no batch): the second execution waits on the first one's inbox key (PostgreSQL) or
        // on the write lock (SQLite); the first is released only once the database shows the second waiting.
        var host = await HostAsync(start: false, settings: new Dictionary<string, string?> { ["Messaging:Outbox:InboxBatchSize"] = "1" });
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("H-1"), typeof(OrderPlaced));
        var filter = ActivatorUtilities.CreateInstance<InboxFilter<ShopContext>>(host.Services);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRan = false;

        await using var scopeA = host.Services.CreateAsyncScope();
        await using var scopeB = host.Services.CreateAsyncScope();
        var first = filter.InvokeAsync(Context(envelope, scopeA.ServiceProvider), async ct =>
        {
            scopeA.ServiceProvider.GetRequiredService<ShopContext>().Shipments.Add(new Shipment { OrderNumber = "H-1" });
            firstRunning.SetResult();
            await releaseFirst.Task.WaitAsync(ct);
            return HandlerOutcome.Handled;
        }, CancellationToken.None);
        await firstRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var secondWaits = await Database.WatchLockWaitAsync(scopeB.ServiceProvider.GetRequiredService<ShopContext>());
        var second = Task.Run(() => filter.InvokeAsync(Context(envelope, scopeB.ServiceProvider), ct =>
        {
            secondRan = true;
            return Task.FromResult(HandlerOutcome.Handled);
        }, CancellationToken.None));
        await secondWaits.Waiting.WaitAsync(TimeSpan.FromSeconds(30)); // the second execution waits on the first one's lock
        Assert.False(second.IsCompleted);
        releaseFirst.SetResult();

        Assert.Equal(HandlerOutcome.Handled, await first);
        Assert.Equal(HandlerOutcome.SkippedDuplicate, await second);
        Assert.False(secondRan);
        await using var check = Database.CreateContext();
        Assert.Equal(1, await check.Shipments.CountAsync());
        Assert.Equal(1, await check.Set<InboxRecord>().CountAsync());
    }

    [Fact]
    public async Task In_the_callers_transaction_the_inbox_row_commits_or_rolls_back_with_it()
    {
        var host = await HostAsync(start: false);
        var factory = host.Services.GetRequiredService<IEnvelopeFactory>();
        var filter = ActivatorUtilities.CreateInstance<InboxFilter<ShopContext>>(host.Services);
        var runs = 0;
        Func<IServiceProvider, Func<CancellationToken, Task<HandlerOutcome>>> handler = services => _ =>
        {
            runs++;
            services.GetRequiredService<ShopContext>().Shipments.Add(new Shipment { OrderNumber = "T-" + runs });
            return Task.FromResult(HandlerOutcome.Handled);
        };
        var kept = factory.Create(new OrderPlaced("T-1"), typeof(OrderPlaced));
        var rolledBack = factory.Create(new OrderPlaced("T-2"), typeof(OrderPlaced));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal(HandlerOutcome.Handled, await filter.InvokeAsync(Context(kept, scope.ServiceProvider), handler(scope.ServiceProvider), CancellationToken.None));
            Assert.Equal(HandlerOutcome.SkippedDuplicate, await filter.InvokeAsync(Context(kept, scope.ServiceProvider), handler(scope.ServiceProvider), CancellationToken.None));
            await transaction.CommitAsync();
        }
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal(HandlerOutcome.Handled, await filter.InvokeAsync(Context(rolledBack, scope.ServiceProvider), handler(scope.ServiceProvider), CancellationToken.None));
            await transaction.RollbackAsync();
        }

        Assert.Equal(2, runs);
        await using var check = Database.CreateContext();
        Assert.Equal(["T-1"], await check.Shipments.Select(s => s.OrderNumber).ToListAsync());
        Assert.Equal([kept.MessageId], await check.Set<InboxRecord>().Select(r => r.MessageId).ToListAsync());
    }

    private static MessageContext Context(Envelope envelope, IServiceProvider services) =>
        new(envelope, "test", "Tests.ShipOrderHandler", 1, services);
}

public sealed class SqliteInboxTests(SqliteDatabase database, ITestOutputHelper output)
    : InboxScenarios<SqliteDatabase>(database, output);

public sealed class PostgresInboxTests(PostgresDatabase database, ITestOutputHelper output)
    : InboxScenarios<PostgresDatabase>(database, output);
