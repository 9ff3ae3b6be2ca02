using Messaging.Testing;
using Messaging.Handling;
using Messaging.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests;

public class HandlerScanningTests
{
    [Fact]
    public void Scanned_handlers_are_named_by_their_attribute_or_full_type_name_and_an_explicit_name_is_kept()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new HandlerProbe());
        services.AddMessaging(new ConfigurationBuilder().Build()).Map<ComplianceMessage>("scan-topic")
            .AddHandler<ComplianceMessage, Scanned.PlainHandler>("plain")
            .AddHandlersFromAssembly(typeof(HandlerScanningTests).Assembly);
        using var provider = services.BuildServiceProvider();

        var names = provider.GetRequiredService<HandlerRegistry>().For(typeof(ComplianceMessage)).Select(h => h.Name).ToList();

        Assert.Contains("audit-compliance", names);                                  // [HandlerName]
        Assert.Single(names, n => n == "plain");                                     // added by name first: not again
        Assert.DoesNotContain(typeof(Scanned.PlainHandler).FullName!, names);
        Assert.Contains(typeof(Scanned.UnnamedHandler).FullName!, names);            // no attribute: its full type name
        Assert.DoesNotContain(names, n => n.Contains("AbstractHandler", StringComparison.Ordinal));
        Assert.NotNull(provider.GetService<Scanned.UnnamedHandler>());               // resolvable per scope, as AddHandler does
    }

    [Fact]
    public void Scanning_an_assembly_without_handlers_fails_naming_it()
    {
        var builder = new ServiceCollection().AddMessaging(new ConfigurationBuilder().Build());
        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddHandlersFromAssembly(typeof(ConfigurationBuilder).Assembly));
        Assert.Contains("Microsoft.Extensions.Configuration has no class implementing IMessageHandler<T>", ex.Message, StringComparison.Ordinal);
    }
}

