using Messaging.Testing;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.CrossBroker.Tests;

/// <summary>A transport's settings are checked at start-up whenever the host uses it, not only as the primary.</summary>
public class StartupValidationTests
{
    [Fact]
    public async Task Kafka_settings_are_validated_when_Kafka_is_only_consumed_from()
    {
        var ex = await StartFailsAsync(new() { ["Messaging:ConsumeFrom:0"] = "RabbitMq", ["Messaging:ConsumeFrom:1"] = "Kafka" }, routeTransport: null);
        Assert.Contains("Messaging:Kafka:Acks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_settings_are_validated_when_only_a_route_publishes_through_Kafka()
    {
        var ex = await StartFailsAsync([], routeTransport: "Kafka");
        Assert.Contains("Messaging:Kafka:Acks", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings, string? routeTransport)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Messaging:Kafka:Acks"] = "1", // weaker than all, without the opt-out
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMessaging(builder.Configuration).AddRabbitMq().AddKafka()
            .Map<ComplianceMessage>("validation-topic", transport: routeTransport);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
