using Messaging.Testing;
using Messaging.Hosting;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Messaging.Kafka.Tests;

public sealed class KafkaOptionsTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Producer_refuses_acks_other_than_all_without_opt_out()
    {
        using var host = BuildHost(new() { ["Messaging:Kafka:Acks"] = "1" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:Acks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idempotence_off_and_missing_bootstrap_servers_are_refused_naming_the_keys()
    {
        using var host = BuildHost(new() { ["Messaging:Kafka:EnableIdempotence"] = "false", ["Messaging:Kafka:BootstrapServers"] = "" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:EnableIdempotence", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:Kafka:BootstrapServers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrency_and_backlog_limits_out_of_range_are_refused_naming_the_keys()
    {
        using var host = BuildHost(new() { ["Messaging:Kafka:MaxConcurrency"] = "0", ["Messaging:Kafka:MaxBufferedPerPartition"] = "0", ["Messaging:Kafka:AutoCommitIntervalMs"] = "10" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:MaxConcurrency", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:Kafka:MaxBufferedPerPartition", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:Kafka:AutoCommitIntervalMs", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CommitMode", "KeyOrder", null, KafkaOrderingMode.KeyOrder)] // a configuration written for 0.9
    [InlineData(null, null, "KeyOrder", KafkaOrderingMode.KeyOrder)]
    [InlineData("CommitMode", "KeyOrder", "PartitionOrder", KafkaOrderingMode.PartitionOrder)] // both: the new key wins
    [InlineData(null, null, null, KafkaOrderingMode.PartitionOrder)]
    public void Ordering_mode_is_read_from_its_key_and_from_the_former_CommitMode_key(string? oldKey, string? oldValue, string? value, KafkaOrderingMode expected)
    {
        var settings = new Dictionary<string, string?>();
        if (oldKey is not null) settings["Messaging:Kafka:" + oldKey] = oldValue;
        if (value is not null) settings["Messaging:Kafka:OrderingMode"] = value;
        using var host = BuildHost(settings);
        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.OrderingMode);
    }

    [Fact]
    public async Task A_wrong_value_under_the_former_CommitMode_key_is_refused_naming_it()
    {
        using var host = BuildHost(new() { ["Messaging:Kafka:CommitMode"] = "KeyOrdr" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:CommitMode", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyOrder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_transport_declares_delayed_retry_and_replay()
    {
        using var host = BuildHost(new() { ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "100" });
        await host.StartAsync(); // refused at start-up for a transport without DelayedRetry
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        Assert.True(transport.Capabilities.HasFlag(TransportCapabilities.DelayedRetry));
        Assert.True(transport.Capabilities.HasFlag(TransportCapabilities.Replay));
        await host.StopAsync();
    }

    [Fact]
    public async Task Weaker_durability_is_accepted_with_the_opt_out_reaches_the_producer_and_is_warned_about()
    {
        var events = new EventLog();
        using var host = BuildHost(new() { ["Messaging:Kafka:Acks"] = "1", ["Messaging:Kafka:AllowWeakerDurability"] = "true" }, events);
        await host.StartAsync();
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        await transport.SendAsync(KafkaTestSupport.NewEnvelope(Names.Unique("weak"), "k", 1), CancellationToken.None); // confirmed with acks=1
        await host.StopAsync();

        var producer = KafkaClientConfig.Producer(host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value); // what the sender builds
        Assert.Equal((Confluent.Kafka.Acks.Leader, false), (producer.Acks, producer.EnableIdempotence)); // idempotence needs acks=all
        var warning = Assert.Single(events.Events, e => e.Id == 3000).Text;
        Assert.Contains("acks=1, enable.idempotence=True", warning, StringComparison.Ordinal); // the options as given, logged by the transport
    }

    [Fact]
    public async Task Client_properties_the_library_sets_itself_are_refused_naming_them_and_the_key_to_use()
    {
        using var host = BuildHost(new()
        {
            ["Messaging:Kafka:ClientProperties:enable.auto.commit"] = "true",
            ["Messaging:Kafka:ClientProperties:ACKS"] = "1",
            ["Messaging:Kafka:ClientProperties:client.rack"] = "rack-a", // not the library's: accepted
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:ClientProperties:enable.auto.commit", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Messaging:Kafka:ClientProperties:ACKS is set by the library from Messaging:Kafka:Acks", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("client.rack", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sasl.mechansim", "PLAIN", "sasl.mechansim")] // a misspelt name
    [InlineData("security.protocol", "SASL_TLS", "security.protocol")] // a value librdkafka does not know
    public async Task A_client_property_librdkafka_refuses_stops_the_host_at_start_up_naming_it(string name, string value, string named)
    {
        using var host = BuildHost(new() { ["Messaging:Kafka:ClientProperties:" + name] = value });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Kafka:ClientProperties were refused by librdkafka", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_properties_reach_every_client_and_cannot_weaken_the_library_s_own_settings()
    {
        var options = new KafkaOptions { BootstrapServers = "broker:9092" };
        options.ClientProperties["security.protocol"] = "SASL_SSL";
        options.ClientProperties["sasl.mechanism"] = "PLAIN";
        options.ClientProperties["enable.idempotence"] = "false"; // refused at start-up; and if a tool skips validation:
        var configs = new Confluent.Kafka.ClientConfig[] { KafkaClientConfig.Producer(options), KafkaClientConfig.Consumer(options, "g"), KafkaClientConfig.Admin(options) };
        foreach (var config in configs)
        {
            Assert.Equal("SASL_SSL", config.Get("security.protocol")); // as given: librdkafka reads it case-insensitively
            Assert.Equal("PLAIN", config.Get("sasl.mechanism"));
        }
        Assert.True(((Confluent.Kafka.ProducerConfig)configs[0]).EnableIdempotence);

        // Against the cluster, which speaks plaintext: told to use TLS, the transport cannot reach it; plaintext can.
        await Assert.ThrowsAsync<BrokerUnavailableException>(() => PrepareAsync("SSL"));
        await PrepareAsync("PLAINTEXT");
    }

    private async Task PrepareAsync(string securityProtocol)
    {
        using var host = BuildHost(new()
        {
            ["Messaging:Kafka:ClientProperties:security.protocol"] = securityProtocol,
            ["Messaging:Kafka:ClientProperties:fetch.wait.max.ms"] = "100", // a consumer's property: the validation's producer accepts it
            ["Messaging:Kafka:StartupTimeoutMs"] = "2000",
        });
        var endpoint = new ConsumerEndpoint(Names.Unique("props"), [Names.Unique("props")]);
        await host.Services.GetRequiredService<IMessageTransport>().PrepareAsync([endpoint], CancellationToken.None);
    }

    [Fact]
    public async Task Kafka_options_are_not_validated_when_another_transport_is_selected()
    {
        using var host = BuildHost(new() { ["Messaging:Transport"] = "InMemory", ["Messaging:Kafka:Acks"] = "0" });
        await host.StartAsync(); // acks=0 without the opt-out would stop a Kafka host
        Assert.Equal("InMemory", host.Services.GetRequiredService<IMessageTransport>().Name);
        Assert.Equal("0", host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.Acks);
        await host.StopAsync();
    }

    [Fact]
    public async Task Unreachable_cluster_fails_prepare_naming_the_bootstrap_servers()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Messaging:Kafka:StartupTimeoutMs"] = "1000",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(config).AddKafka();
        await using var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<IMessageTransport>();
        var endpoint = new ConsumerEndpoint("ep", ["nowhere"]);
        var ex = await Assert.ThrowsAsync<BrokerUnavailableException>(() => transport.PrepareAsync([endpoint], CancellationToken.None));
        Assert.Contains("Messaging:Kafka:BootstrapServers", ex.Message, StringComparison.Ordinal);
    }

    private IHost BuildHost(Dictionary<string, string?> settings, EventLog? events = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (events is not null) builder.Logging.AddProvider(events);
        builder.Configuration.AddInMemoryCollection(fixture.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "Kafka" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMessaging(builder.Configuration).AddKafka();
        return builder.Build();
    }
}
