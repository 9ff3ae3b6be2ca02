using Messaging.Dashboard;
using Messaging.Diagnostics;
using Messaging.Eng.KafkaMock;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.Outbox;
using Messaging.RabbitMq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrderService;

/// <summary>Builds the host: configuration layers, the DbContext, messaging with both transports and the outbox.</summary>
public static class SampleHost
{
    public const string Topic = "orders";

    /// <summary>Where the dashboard is mounted with <c>--dashboard</c>.</summary>
    public const string DashboardPath = "/messaging";

    public static IHost Build(RunSettings settings)
    {
        // A web host only when the dashboard is asked for: the plain run measures the messaging, not Kestrel.
        IHostApplicationBuilder builder = settings.Dashboard is null
            ? Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] })
            : WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        // appsettings.json and environment variables (Messaging__Transport=...) come with the default
        // builder; then the MESSAGING_* shortcuts used by eng/ and the tests, then the command line.
        builder.Configuration.AddInMemoryCollection(EnvironmentShortcuts());
        builder.Configuration.AddInMemoryCollection(CommandLineOverrides(settings));
        var config = builder.Configuration;

        var database = Database(config);
        // Options built once (singleton), not per DbContext: EF Core's own advice for hot paths; each handled message has a context.
        builder.Services.AddDbContextPool<OrdersDbContext>(options =>
        {
            if (database == "postgres") options.UseNpgsql(config.GetConnectionString("Postgres"));
            else options.UseSqlite(config.GetConnectionString("Sqlite"));
        });

        builder.Services.AddMessaging(config)
            .AddRabbitMq()
            .AddKafka()
            .Map<OrderPlaced>(Topic, o => o.CustomerId, name: "order-placed")
            .AddHandler<OrderPlaced, ApplyOrderHandler>(name: "apply-order")
            .AddEntityFrameworkOutbox<OrdersDbContext>();
        if (settings.Otel) AddConsoleTelemetry(builder.Services);
        return builder is WebApplicationBuilder web ? WithDashboard(web, settings.Dashboard!) : ((HostApplicationBuilder)builder).Build();
    }

    /// <summary>The dashboard without sign-in (<c>AllowAnonymous</c>), so only on a loopback address: nobody else can reach it.</summary>
    private static WebApplication WithDashboard(WebApplicationBuilder builder, Uri address)
    {
        if (!address.IsLoopback)
            throw new InvalidOperationException($"--dashboard {address}: the sample's dashboard has no sign-in, so it listens only on a loopback address (http://127.0.0.1:5080, http://localhost:5080).");
        builder.WebHost.UseUrls(address.GetLeftPart(UriPartial.Authority));
        builder.Services.AddMessagingDashboard();
        var app = builder.Build();
        app.MapMessagingDashboard<OrdersDbContext>(DashboardPath, o => o.AllowAnonymous = true);
        return app;
    }

    /// <summary>What README "Telemetry" shows: the library's ActivitySource and meters, here to the console.</summary>
    private static void AddConsoleTelemetry(IServiceCollection services) =>
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("order-service"))
            .WithTracing(tracing => tracing.AddSource(TelemetryNames.SourceName).AddConsoleExporter())
            .WithMetrics(metrics => metrics.AddMeter(TelemetryNames.SourceName, KafkaTelemetry.MeterName).AddConsoleExporter());

    public static string Database(IConfiguration config)
    {
        var value = (config["Sample:Database"] ?? "sqlite").ToLowerInvariant();
        return value is "sqlite" or "postgres"
            ? value
            : throw new InvalidOperationException($"Sample:Database is '{value}'; allowed values: sqlite, postgres.");
    }

    private static Dictionary<string, string?> CommandLineOverrides(RunSettings settings)
    {
        var values = new Dictionary<string, string?>();
        if (settings.Transport is { } transport) values["Messaging:Transport"] = transport;
        if (settings.Database is { } database) values["Sample:Database"] = database;
        return values;
    }

    private static Dictionary<string, string?> EnvironmentShortcuts()
    {
        var values = new Dictionary<string, string?>();
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } rabbit) values["Messaging:RabbitMq:Uri"] = rabbit;
        if (Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") is { Length: > 0 } pg) values["ConnectionStrings:Postgres"] = pg + ";Database=order_service";
        if (LocalKafka.BootstrapServers() is { } kafka) values["Messaging:Kafka:BootstrapServers"] = kafka;
        return values;
    }
}
