using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>The application under operation: orders placed through the outbox, applied once by <see cref="ApplyHandler"/>
/// through the inbox, on the fixture's broker and database, with its own endpoint and destination.</summary>
public sealed partial class OpsApp : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _running;

    private OpsApp(IHost host, string name)
    {
        _host = host;
        Endpoint = "ops-" + name;
        Destination = "orders-" + name;
    }

    public string Endpoint { get; }
    public string Destination { get; }
    public HandlerVersion Version => _host.Services.GetRequiredService<HandlerVersion>();
    public IServiceProvider Services => _host.Services;

    public static OpsApp Create(OpsFixture fixture, string? name = null, Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        name = Configure(builder, fixture, name, services, settings);
        return new OpsApp(builder.Build(), name);
    }

    /// <summary>The application's configuration and services on a host builder (a generic host, or the web application of
    /// <see cref="CreateWithDashboard"/>); returns its name.</summary>
    private static string Configure(IHostApplicationBuilder builder, OpsFixture fixture, string? name, Action<IServiceCollection>? services,
        IReadOnlyDictionary<string, string?>? settings)
    {
        name ??= Guid.NewGuid().ToString("N")[..10];
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = fixture.Broker.Transport,
            ["Messaging:Endpoint"] = "ops-" + name,
            ["Messaging:Retry:MaxAttempts"] = "2",
            ["Messaging:Retry:InitialDelayMs"] = "10",
            ["Messaging:Retry:MaxDelayMs"] = "20",
            ["Messaging:Outbox:PollIntervalMs"] = "50",
        });
        builder.Configuration.AddInMemoryCollection(fixture.Broker.Settings);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDbContext<OpsContext>(fixture.Database.Configure);
        builder.Services.AddSingleton<HandlerVersion>();
        services?.Invoke(builder.Services);
        var messaging = builder.Services.AddMessaging(builder.Configuration)
            .Map<Ordered>("orders-" + name, o => o.OrderId, name: "ops.ordered")
            .AddHandler<Ordered, ApplyHandler>("apply-order")
            .AddEntityFrameworkOutbox<OpsContext>();
        fixture.Broker.Register(messaging);
        return name;
    }

    public async Task StartAsync()
    {
        await _host.StartAsync();
        _running = true;
    }

    public async Task StopAsync()
    {
        if (!_running) return;
        _running = false;
        await _host.StopAsync();
    }

    /// <summary>Places an order through the outbox in one transaction; returns its message id (new, or
    /// <paramref name="messageId"/> to publish a message again, as a producer's retry does). The order id is the message's
    /// partition key.</summary>
    public async Task<string> PlaceAsync(string orderId, bool poison = false, string? messageId = null)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpsContext>();
        messageId ??= Envelope.NewMessageId();
        scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(new Ordered(orderId, poison), new PublishOptions { MessageId = messageId });
        await db.SaveChangesAsync();
        return messageId;
    }

    public async Task<T> QueryAsync<T>(Func<OpsContext, Task<T>> query)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<OpsContext>());
    }

    public Task<int> AppliedAsync(string messageId) => QueryAsync(db => db.Applied.CountAsync(a => a.MessageId == messageId));

    public Task<DeadLetter?> DeadLetterAsync(string messageId) =>
        QueryAsync(db => db.Set<DeadLetter>().AsNoTracking().SingleOrDefaultAsync(d => d.MessageId == messageId && d.Endpoint == Endpoint));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
