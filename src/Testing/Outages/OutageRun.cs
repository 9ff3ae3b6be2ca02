using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Outage;

/// <summary>
/// A miniature order service for outage tests: orders are placed as a business row and an outbox row in one
/// transaction; the dispatcher publishes them through the transport under test; a consumer applies each through the
/// inbox. Everything is counted from the database, as the fault harness does.
/// </summary>
public sealed class OutageRun : IAsyncDisposable
{
    private readonly OutageDatabase _database;

    private OutageRun(IHost host, OutageDatabase database, LogCounter logs)
    {
        Host = host;
        _database = database;
        Logs = logs;
    }

    public IHost Host { get; }

    public LogCounter Logs { get; }

    /// <summary>Builds the host (not started): <paramref name="settings"/> over defaults, a unique endpoint and destination.</summary>
    public static async Task<OutageRun> CreateAsync(OutageDatabase database, IDictionary<string, string?> settings, Action<MessagingBuilder> transport)
    {
        await database.CreateAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Endpoint"] = Names.Unique("outage"),
            ["Logging:LogLevel:Default"] = "Information",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        var logs = new LogCounter();
        builder.Logging.AddProvider(logs);
        builder.Services.AddDbContext<OutageDbContext>(database.Configure);
        var messaging = builder.Services.AddMessaging(builder.Configuration);
        transport(messaging);
        messaging.Map<OutageOrder>(Names.Unique("orders"), o => "customer-" + (o.OrderId % 64))
            .AddHandler<OutageOrder, ApplyOutageOrderHandler>("apply-outage-order")
            .AddEntityFrameworkOutbox<OutageDbContext>();
        return new OutageRun(builder.Build(), database, logs);
    }

    /// <summary>Places orders <paramref name="from"/> .. from+count-1, 100 per transaction (business rows + outbox rows).</summary>
    public async Task PlaceOrdersAsync(long from, int count)
    {
        for (var start = from; start < from + count; start += 100)
        {
            using var scope = Host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OutageDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            for (var id = start; id < Math.Min(start + 100, from + count); id++)
            {
                db.Orders.Add(new PlacedOrder { Id = id });
                outbox.Enqueue(new OutageOrder(id));
            }
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Outbox rows by status, and the most attempts any row has spent.</summary>
    public async Task<(int Pending, int Sent, int Failed, int MaxAttempts)> OutboxAsync()
    {
        await using var db = _database.CreateContext();
        var rows = db.Set<OutboxMessage>().AsNoTracking();
        return (await rows.CountAsync(m => m.Status == OutboxStatus.Pending), await rows.CountAsync(m => m.Status == OutboxStatus.Sent),
            await rows.CountAsync(m => m.Status == OutboxStatus.Failed), await rows.MaxAsync(m => (int?)m.Attempts) ?? 0);
    }

    /// <summary>Placed orders, distinct orders applied, orders applied more than once, placed orders never applied.</summary>
    public async Task<(int Placed, int Applied, int AppliedTwice, int Lost)> OrdersAsync()
    {
        await using var db = _database.CreateContext();
        var placed = await db.Orders.CountAsync();
        var applied = await db.Applied.Select(a => a.OrderId).Distinct().CountAsync();
        var twice = await db.Applied.GroupBy(a => a.OrderId).CountAsync(g => g.Count() > 1);
        var lost = await db.Orders.CountAsync(o => !db.Applied.Any(a => a.OrderId == o.Id));
        return (placed, applied, twice, lost);
    }

    /// <summary>The status of one health check (<c>messaging-rabbitmq</c>, <c>messaging-outbox</c>...).</summary>
    public async Task<HealthReportEntry> HealthAsync(string check)
    {
        var report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == check);
        return report.Entries[check];
    }

    public async ValueTask DisposeAsync()
    {
        try { await Host.StopAsync(TimeSpan.FromSeconds(30)); }
        catch (OperationCanceledException) { /* stop timed out: dispose anyway */ }
        Host.Dispose();
        await _database.DisposeAsync();
    }
}
