using Messaging.Hosting;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Testing.Outages;

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

    /// <summary>The service's host (built, not started by <see cref="CreateAsync"/>).</summary>
    public IHost Host { get; }

    /// <summary>The host's log lines, counted.</summary>
    public LogCounter Logs { get; }

    /// <summary>Creates <paramref name="database"/>'s tables and builds the host (not started): <paramref name="settings"/>
    /// over defaults (a unique endpoint, logging at Information), the EF Core outbox and inbox, <see cref="OutageOrder"/>
    /// mapped to a unique destination with the partition key <c>customer-</c>(id mod 64), and its handler.</summary>
    /// <param name="database">The database; disposed with the run.</param>
    /// <param name="settings">Configuration keys (the transport's and the test's), over the defaults.</param>
    /// <param name="transport">Registers the transport, e.g. <c>b =&gt; b.AddRabbitMq()</c>.</param>
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
    /// <param name="from">The first order id.</param>
    /// <param name="count">How many orders.</param>
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
    /// <param name="check">The health check's name.</param>
    public async Task<HealthReportEntry> HealthAsync(string check)
    {
        var report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == check);
        return report.Entries[check];
    }

    /// <summary>Stops the host (at most 30 s), disposes it and drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await Host.StopAsync(TimeSpan.FromSeconds(30)); }
        catch (OperationCanceledException) { /* stop timed out: dispose anyway */ }
        Host.Dispose();
        await _database.DisposeAsync();
    }
}
