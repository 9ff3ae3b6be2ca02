using System.Diagnostics;
using Messaging;
using Messaging.Diagnostics;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrderService;

/// <summary>One run of the sample: reset the database, place the warm-up orders and wait for them, then place and wait for
/// the rest while measuring the process's CPU time and allocations, and count.</summary>
public static class OrderRun
{
    private const int OrdersPerTransaction = 10;

    /// <summary>Runs the orders, counts what happened and hands the report to <paramref name="reported"/>; with a dashboard,
    /// the service then goes on serving it until Ctrl+C.</summary>
    public static async Task<Report> RunAsync(RunSettings settings, Func<Report, Task> reported, CancellationToken cancellationToken)
    {
        using var host = SampleHost.Build(settings);
        var config = host.Services.GetRequiredService<IConfiguration>();
        await ResetDatabaseAsync(host.Services, cancellationToken);
        await host.StartAsync(cancellationToken);

        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        // Warm-up: the first orders go all the way through before measuring, so JIT and tiering have settled.
        var warmup = settings.WarmupOrders;
        var placed = await PlaceOrdersAsync(host.Services, 0, warmup, cancellationToken);
        var finished = await WaitForConsumerAsync(host.Services, statistics, warmup, 0, 0, settings.Timeout, cancellationToken);

        var start = RunCost.Now();
        var clock = Stopwatch.StartNew();
        placed.AddRange(await PlaceOrdersAsync(host.Services, warmup, settings.Orders - warmup, cancellationToken));
        var duplicates = await PublishDuplicatesAsync(host.Services, placed, cancellationToken);
        await PublishPoisonAsync(host.Services, cancellationToken);
        finished = finished && await WaitForConsumerAsync(host.Services, statistics, settings.Orders, duplicates.Count, 1, settings.Timeout, cancellationToken);
        clock.Stop();
        var cost = RunCost.Between(start, RunCost.Now(), warmup, settings.Orders - warmup);
        if (settings.Dashboard is null) await host.StopAsync(CancellationToken.None);

        Report report;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            report = await Report.CountAsync(db, statistics, new ReportContext(
                config["Messaging:Transport"]!, SampleHost.Database(config), db.Database.GetDbConnection().DataSource,
                duplicates.Count, clock.Elapsed, finished, cost), cancellationToken);
        }
        await reported(report);
        if (settings.Dashboard is { } dashboard)
        {
            Console.Out.WriteLine($"dashboard: {new Uri(dashboard, SampleHost.DashboardPath)} (the service keeps running; Ctrl+C stops it)");
            await host.WaitForShutdownAsync(cancellationToken);
        }
        return report;
    }

    private static async Task ResetDatabaseAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        await db.Database.EnsureDeletedAsync(ct);
        await db.Database.EnsureCreatedAsync(ct);
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    /// <summary>Each transaction writes orders and their outbox rows together (ten orders a transaction); orders
    /// <paramref name="from"/> .. from + count - 1.</summary>
    private static async Task<List<(Order Order, string MessageId)>> PlaceOrdersAsync(IServiceProvider services, int from, int count, CancellationToken ct)
    {
        var placed = new List<(Order, string)>(count);
        for (var first = from; first < from + count; first += OrdersPerTransaction)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            for (var i = first; i < Math.Min(from + count, first + OrdersPerTransaction); i++)
            {
                var order = new Order
                {
                    Id = Guid.CreateVersion7(),
                    CustomerId = $"customer-{i % 50}",
                    Quantity = 1 + i % 5,
                    Amount = 10m + i % 100,
                    PlacedAt = DateTime.UtcNow,
                };
                db.Orders.Add(order);
                var messageId = Envelope.NewMessageId();
                outbox.Enqueue(ToEvent(order), new PublishOptions { MessageId = messageId });
                placed.Add((order, messageId));
            }
            await db.SaveChangesAsync(ct);
        }
        return placed;
    }

    /// <summary>Publishes every 500th order a second time with the same message id, as a producer retry would.</summary>
    private static async Task<List<Order>> PublishDuplicatesAsync(IServiceProvider services, List<(Order Order, string MessageId)> placed, CancellationToken ct)
    {
        var again = placed.Where((_, i) => i % 500 == 0).ToList();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        foreach (var (order, messageId) in again) outbox.Enqueue(ToEvent(order), new PublishOptions { MessageId = messageId });
        await db.SaveChangesAsync(ct);
        return again.Select(p => p.Order).ToList();
    }

    /// <summary>One order no handler can apply (quantity -1): it must end on the dead-letter destination.</summary>
    private static async Task PublishPoisonAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced(Guid.CreateVersion7(), "customer-poison", -1, 0m));
        await db.SaveChangesAsync(ct);
    }

    private static async Task<bool> WaitForConsumerAsync(IServiceProvider services, MessagingStatistics statistics, int orders, int duplicates, int deadLetters,
        TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
                var applied = await db.AppliedOrders.Where(a => db.Orders.Any(o => o.Id == a.OrderId)).Select(a => a.OrderId).Distinct().CountAsync(ct);
                if (applied >= orders && statistics.DuplicatesSkipped >= duplicates && statistics.DeadLettered >= deadLetters) return true;
            }
            await Task.Delay(100, ct);
        }
        return false;
    }

    private static OrderPlaced ToEvent(Order order) => new(order.Id, order.CustomerId, order.Quantity, order.Amount);
}
