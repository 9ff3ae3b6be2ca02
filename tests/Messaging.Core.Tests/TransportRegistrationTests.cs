using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.Tests;

/// <summary>The registration recipe a transport package calls (<c>AddTransport&lt;TOptions, TValidator&gt;</c>).</summary>
public class TransportRegistrationTests
{
    [Fact]
    public async Task Registers_options_validator_report_sentence_and_transport_once_however_often_called()
    {
        using var host = Build(new() { ["Messaging:Transport"] = "Probe", ["Messaging:Probe:Window"] = "7" }, times: 2);

        Assert.Single(host.Services.GetServices<IValidateOptions<ProbeOptions>>().OfType<ProbeValidator>());
        Assert.Single(host.Services.GetServices<TransportRegistration>(), r => r.Name == "Probe");
        var sentence = Assert.Single(host.Services.GetServices<GuaranteeStatement>(), s => s.Transport == "Probe");
        Assert.Equal("window 7 at orders", sentence.Describe("orders"));
        await host.StartAsync();
        Assert.IsType<InMemoryTransport>(host.Services.GetRequiredService<IMessageTransport>());
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_options_stop_the_start_naming_the_key()
    {
        using var host = Build(new() { ["Messaging:Transport"] = "Probe", ["Messaging:Probe:Window"] = "0" }, times: 1);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Messaging:Probe:Window", ex.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings, int times)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        var messaging = builder.Services.AddMessaging(builder.Configuration);
        for (var i = 0; i < times; i++)
            messaging.AddTransport<ProbeOptions, ProbeValidator>("Probe", "Messaging:Probe",
                (o, endpoint) => $"window {o.Window} at {endpoint}", (_, _) => new InMemoryTransport());
        return builder.Build();
    }

    public sealed class ProbeOptions
    {
        public int Window { get; set; } = 1;
    }

    public sealed class ProbeValidator : IValidateOptions<ProbeOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProbeOptions options) => options.Window > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Messaging:Probe:Window must be at least 1, not {options.Window}.");
    }
}
