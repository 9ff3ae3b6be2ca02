using Messaging.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.Tests;

public class ConfigurationTests
{
    [Fact]
    public async Task Unknown_transport_fails_start_up_naming_the_key_and_the_registered_ones()
    {
        var ex = await StartFailsAsync(new() { ["Messaging:Transport"] = "Carrier-Pigeon" });
        Assert.Contains("Messaging:Transport is 'Carrier-Pigeon'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("registered: InMemory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_without_a_transport_setting_refuses_to_start_naming_the_key()
    {
        var ex = await StartFailsAsync(new() { ["Messaging:Endpoint"] = "no-transport" }); // no Messaging:Transport at all
        Assert.Contains("Messaging:Transport is not set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InMemory for in-process messages", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AddRabbitMq()", ex.Message, StringComparison.Ordinal); // no broker package registered: how to add one
    }

    [Fact]
    public async Task A_transport_the_application_registers_itself_is_accepted_by_its_name()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "Carrier-Pigeon" });
        builder.Services.AddMessaging(builder.Configuration).AddTransport("Carrier-Pigeon", _ => new InMemory.InMemoryTransport());
        using var host = builder.Build();
        await host.StartAsync();
        Assert.IsType<InMemory.InMemoryTransport>(host.Services.GetRequiredService<Transport.IMessageTransport>());
        await host.StopAsync();
    }

    [Fact]
    public async Task An_enum_typo_fails_start_up_naming_the_key_the_value_and_the_allowed_values()
    {
        var ex = await StartFailsAsync(new() { ["Messaging:StartupMode"] = "Degradd" });
        Assert.Contains("Messaging:StartupMode is 'Degradd'; allowed values: Degraded, FailFast.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Known_but_unregistered_transport_fails_start_up_saying_how_to_register_it()
    {
        var ex = await StartFailsAsync(new() { ["Messaging:Transport"] = "kafka" });
        Assert.Contains("AddKafka()", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Messaging:Retry:MaxAttempts", "0")]
    [InlineData("Messaging:Retry:InitialDelayMs", "-1")]
    [InlineData("Messaging:HandlerTimeoutMs", "0")]
    [InlineData("Messaging:Endpoint", "has spaces")]
    public async Task Invalid_value_fails_start_up_naming_the_key(string key, string value)
    {
        var ex = await StartFailsAsync(new() { [key] = value });
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_delay_doubles_from_the_initial_delay_and_is_capped()
    {
        var retry = new Handling.RetryOptions { InitialDelayMs = 100, MaxDelayMs = 350 };
        Assert.Equal([100, 200, 350, 350], new[] { 2, 3, 4, 5 }.Select(a => retry.DelayBefore(a).TotalMilliseconds));
    }

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMessaging(builder.Configuration);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
