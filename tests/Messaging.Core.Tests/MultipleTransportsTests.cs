using Messaging.Testing;
using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Tests;

/// <summary>One host on two transports: a second in-memory transport stands in for the other broker.</summary>
public class MultipleTransportsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly InMemoryTransport _other = new();

    [Fact]
    public async Task Endpoint_consumes_from_every_transport_in_ConsumeFrom()
    {
        var probe = new HandlerProbe();
        using var host = await StartAsync(probe, routeTransport: null);
        var transports = host.Services.GetRequiredService<MessagingTransports>();
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new ComplianceMessage("k", 1), typeof(ComplianceMessage));

        await transports.Get("InMemory").SendAsync(envelope, CancellationToken.None);
        await transports.Get("Kafka").SendAsync(envelope with { MessageId = Envelope.NewMessageId() }, CancellationToken.None);

        await Eventually.WaitUntilAsync(() => probe.Calls.Count == 2, Deadline, "one message through each transport");
        Assert.Same(_other, transports.Get("kafka"));
    }

    [Fact]
    public async Task An_unnamed_transport_means_the_primary_and_names_resolve_as_registered()
    {
        using var host = await StartAsync(new HandlerProbe(), routeTransport: null);
        var transports = host.Services.GetRequiredService<MessagingTransports>();

        Assert.Equal("InMemory", transports.NameOrPrimary(null));
        Assert.Equal("InMemory", transports.NameOrPrimary(""));
        Assert.Equal("kafka", transports.NameOrPrimary("kafka"));
        Assert.Equal("Kafka", transports.Resolve("kafka"));
        Assert.Same(transports.Primary, transports.Get(null));
        Assert.Same(transports.Primary, transports.Get("inmemory"));
        var ex = Assert.Throws<InvalidOperationException>(() => transports.Resolve("Nats"));
        Assert.Equal("Transport 'Nats' is not registered; registered: InMemory, Kafka.", ex.Message);
    }

    [Fact]
    public async Task Route_transport_decides_which_broker_publishes()
    {
        var probe = new HandlerProbe();
        // Only the "Kafka" transport has a consumer: through the primary the publish would be unroutable.
        using var host = await StartAsync(probe, routeTransport: "Kafka", consumeFrom: ["Kafka"]);
        await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("k", 1));

        await Eventually.WaitUntilAsync(() => probe.Calls.Count == 1, Deadline, "the message");
        var primary = host.Services.GetRequiredService<IMessageTransport>();
        var ex = await Assert.ThrowsAsync<PublishException>(() => primary.SendAsync(probe.Calls.Single().Context.Envelope, CancellationToken.None));
        Assert.Equal(PublishFailure.Unroutable, ex.Failure);
    }

    [Fact]
    public async Task Unregistered_ConsumeFrom_entry_fails_start_up_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory", ["Messaging:ConsumeFrom:0"] = "InMemory", ["Messaging:ConsumeFrom:1"] = "RabbitMq" });
        builder.Services.AddMessaging(builder.Configuration);
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:ConsumeFrom:1", ex.Message, StringComparison.Ordinal);
    }

    private async Task<IHost> StartAsync(HandlerProbe probe, string? routeTransport, string[]? consumeFrom = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory", ["Messaging:Endpoint"] = "multi" };
        var consumed = consumeFrom ?? ["InMemory", "Kafka"];
        for (var i = 0; i < consumed.Length; i++) settings[$"Messaging:ConsumeFrom:{i}"] = consumed[i];
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(probe);
        builder.Services.AddMessaging(builder.Configuration)
            .AddTransport("Kafka", _ => _other)
            .Map<ComplianceMessage>("multi-topic", transport: routeTransport)
            .AddHandler<ComplianceMessage, RecordingHandler>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
