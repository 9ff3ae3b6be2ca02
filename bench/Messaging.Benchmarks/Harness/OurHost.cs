using Messaging.Benchmarks.Model;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Benchmarks.Harness;

/// <summary>Builds a host with our library the way an application does: configuration, AddMessaging, transports, Map, handlers.</summary>
public static class OurHost
{
    public static IHost Build(Dictionary<string, string?> settings, Action<MessagingBuilder> messaging, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var values = new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Uri"] = BenchEnvironment.RabbitUri,
            ["Messaging:Retry:MaxAttempts"] = "1",
        };
        foreach (var (key, value) in settings) values[key] = value;
        builder.Configuration.AddInMemoryCollection(values);
        // A setting to try without a rebuild, over the scenario's: BENCH_Messaging__Outbox__InboxBatchSize=1.
        builder.Configuration.AddEnvironmentVariables("BENCH_");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<Probe>();
        var messagingBuilder = builder.Services.AddMessaging(builder.Configuration).AddRabbitMq();
        if (values.TryGetValue("Messaging:Transport", out var transport) && transport == "Kafka")
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Kafka:BootstrapServers"] = BenchEnvironment.Kafka });
            messagingBuilder.AddKafka();
        }
        messaging(messagingBuilder);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Starts a consumer host and waits until its <see cref="Probe"/> has seen <paramref name="messages"/> handled.</summary>
    public static async Task<RunSample> StartAndWaitForHandledAsync(IHost consumer, int messages, CancellationToken ct)
    {
        var probe = consumer.Services.GetRequiredService<Probe>();
        probe.Reset(messages);
        await consumer.StartAsync(ct);
        return await probe.WaitAsync(messages, ct);
    }

    public static async Task StopQuietlyAsync(IHost? host)
    {
        if (host is null) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(timeout.Token);
        }
        catch (Exception)
        {
            // a failed stop must not hide the measurement
        }
        if (host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else host.Dispose();
    }
}

/// <summary>The no-op handler: counts the message, nothing else.</summary>
public sealed class NoopHandler(Probe probe) : IMessageHandler<BenchMessage>
{
    public Task HandleAsync(BenchMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Hit();
        return Task.CompletedTask;
    }
}
