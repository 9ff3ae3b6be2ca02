using Messaging.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>Builds an application host: ShopContext on the test database, messaging on the in-memory transport,
/// the EF Core outbox and inbox, a unique destination and endpoint per host.</summary>
public static class TestHost
{
    public static IHost Build(TestDatabase database, ITestOutputHelper output, Action<MessagingBuilder>? configure = null,
        IDictionary<string, string?>? settings = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Hosts that stand for instances of one service share destinations: give them the same "Test:Suffix".
        var unique = settings is not null && settings.TryGetValue("Test:Suffix", out var suffix) && suffix is not null
            ? suffix : Guid.NewGuid().ToString("N")[..12];
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Endpoint"] = "outbox-tests-" + unique,
            ["Messaging:Retry:InitialDelayMs"] = "10",
            ["Messaging:Retry:MaxDelayMs"] = "50",
            ["Messaging:Outbox:PollIntervalMs"] = "20",
            ["Messaging:Outbox:MaxBackoffMs"] = "200",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output));
        // "Test:PooledDbContext": the application's context from a DbContext pool (two instances, so they are reused).
        if (builder.Configuration["Test:PooledDbContext"] == "true") builder.Services.AddDbContextPool<ShopContext>(database.Configure, poolSize: 2);
        else builder.Services.AddDbContext<ShopContext>(database.Configure);
        builder.Services.AddSingleton<Probe>();
        var messaging = builder.Services.AddMessaging(builder.Configuration)
            .Map<OrderPlaced>("orders-" + unique)
            .Map<Unrouted>("nowhere-" + unique)
            .AddEntityFrameworkOutbox<ShopContext>();
        configure?.Invoke(messaging);
        return builder.Build();
    }
}
