using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.Outbox;
using Messaging.RabbitMq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.FaultHarness;

/// <summary>The host of a child process: the producer (outbox + dispatcher) or the consumer (inbox + handler).</summary>
public static class HarnessHost
{
    public static IHost Build(HarnessSettings settings, bool consumer, int dieAfterSends)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var config = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = settings.Transport,
            ["Messaging:Endpoint"] = HarnessSettings.Endpoint,
            ["Messaging:Retry:MaxAttempts"] = "5",
            ["Messaging:Retry:InitialDelayMs"] = "100",
            ["Messaging:RabbitMq:PublishTimeoutMs"] = "10000",
            ["Messaging:Kafka:SessionTimeoutMs"] = "6000", // the mock makes a rejoining member wait this long
            // As RabbitMQ's PublishTimeoutMs: a record queued when every broker went away fails after 10 s, not 30 s, which keeps
            // the whole retry budget (that, plus 9 backoffs of 50 ms doubling to 5 s: about 30 s) below the 40 s long outage.
            ["Messaging:Kafka:MessageTimeoutMs"] = "10000",
            ["Messaging:Outbox:PollIntervalMs"] = "50", // MaxAttempts stays at its default: an outage must not spend it
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Messaging"] = "Information", // assignments, revokes, pauses: the story of a lost message
        };
        if (consumer && settings.Database == "postgres")
        {
            // Several messages at once (different keys), as a service would run: the inbox's concurrent-duplicate
            // path and the transports' per-key lanes are under fault too. Not on SQLite: its single writer makes
            // concurrent inbox transactions queue on the write lock, slower than one at a time.
            config["Messaging:RabbitMq:ConcurrentMessageLimit"] = "8";
            config["Messaging:Kafka:OrderingMode"] = "KeyOrder";
            config["Messaging:Kafka:MaxConcurrency"] = "8";
        }
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } rabbit) config["Messaging:RabbitMq:Uri"] = rabbit;
        if (Environment.GetEnvironmentVariable("MESSAGING_KAFKA") is { Length: > 0 } kafka) config["Messaging:Kafka:BootstrapServers"] = kafka;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ");

        builder.Services.AddDbContext<HarnessDbContext>(o =>
        {
            if (settings.Database == "postgres") o.UseNpgsql(settings.ConnectionString);
            else o.UseSqlite(settings.ConnectionString);
        });
        var messaging = builder.Services.AddMessaging(builder.Configuration).AddRabbitMq().AddKafka()
            .Map<WorkDone>(HarnessSettings.Topic, w => w.Key, name: "work-done")
            .AddEntityFrameworkOutbox<HarnessDbContext>();
        if (consumer)
        {
            messaging.AddHandler<WorkDone, ApplyWorkHandler>(name: "apply-work");
            builder.Services.AddHostedService(sp => new StatisticsWriter(settings.StateDir, sp.GetRequiredService<Diagnostics.MessagingStatistics>()));
        }
        if (dieAfterSends > 0) DieAfterSendTransport.Wrap(messaging, settings.Transport, dieAfterSends);
        return builder.Build();
    }
}
