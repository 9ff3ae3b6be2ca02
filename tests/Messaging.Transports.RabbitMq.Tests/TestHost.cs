using Messaging.Hosting;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.RabbitMq.Tests;

/// <summary>Hosts and transports built through DI exactly as an application gets them.</summary>
internal static class TestHost
{
    public static IHost Build(RabbitMqBroker broker, IDictionary<string, string?> settings, Action<MessagingBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Uri"] = broker.Uri,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        var messaging = builder.Services.AddMessaging(builder.Configuration).AddRabbitMq();
        configure?.Invoke(messaging);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static (ServiceProvider Provider, IMessageTransport Transport) Transport(RabbitMqBroker broker, IDictionary<string, string?>? settings = null) =>
        Transport(broker.Uri, settings);

    public static (ServiceProvider Provider, IMessageTransport Transport) Transport(string brokerUri, IDictionary<string, string?>? settings = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Uri"] = brokerUri,
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(config).AddRabbitMq();
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IMessageTransport>());
    }
}
