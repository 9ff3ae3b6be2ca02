using Messaging.Testing;
using Messaging.Hosting;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Messaging.Tests;

public class TransportHealthCheckTests
{
    [Fact]
    public async Task Consumers_reported_not_consuming_are_Degraded_stalled_ones_Unhealthy_and_only_the_used_transport_is_listed()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory", ["Messaging:Endpoint"] = "health" });
        builder.Services.AddSingleton(new HandlerProbe());
        builder.Services.AddMessaging(builder.Configuration).AddTransport("Unused", _ => new InMemory.InMemoryTransport())
            .Map<ComplianceMessage>("health-topic").AddHandler<ComplianceMessage, RecordingHandler>();
        using var host = builder.Build();
        await host.StartAsync();
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var health = host.Services.GetRequiredService<IMessageTransport>().Health;
        await Eventually.WaitUntilAsync(() => health.ConsumersRunning, TimeSpan.FromSeconds(10), "consumers running");

        var healthy = await checks.CheckHealthAsync();
        Assert.Equal(["messaging-inmemory"], healthy.Entries.Keys); // "Unused" is registered, not used: not listed
        Assert.Equal(HealthStatus.Healthy, healthy.Status);

        health.ReportConsumerCondition("health", ConsumerCondition.NotConsuming, "held no partition for 31 s");
        var degraded = (await checks.CheckHealthAsync()).Entries["messaging-inmemory"];
        Assert.Equal((HealthStatus.Degraded, "InMemory connected, consumers not consuming: held no partition for 31 s"), (degraded.Status, degraded.Description));

        health.ReportConsumerCondition("health", ConsumerCondition.Stalled, "12 record(s) wait");
        Assert.Equal(HealthStatus.Unhealthy, (await checks.CheckHealthAsync()).Entries["messaging-inmemory"].Status);

        health.ReportConsumerCondition("health", ConsumerCondition.Consuming, null);
        Assert.Equal(HealthStatus.Healthy, (await checks.CheckHealthAsync()).Status);

        health.PausePublishing("confirm timed out"); // the outbox's pause shows beside the broker's state
        Assert.True((await checks.CheckHealthAsync()).Entries["messaging-inmemory"].Data.ContainsKey("publish_paused_since"));
        health.ResumePublishing();
        Assert.False((await checks.CheckHealthAsync()).Entries["messaging-inmemory"].Data.ContainsKey("publish_paused_since"));
        await host.StopAsync();
    }
}
