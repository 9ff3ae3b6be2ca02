using Messaging.Handling;
using Messaging.Configuration;
using Messaging.Diagnostics;
using Messaging.InMemory;
using Messaging.Publishing;
using Messaging.Serialization;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>Registers the library with Microsoft.Extensions.DependencyInjection.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Adds messaging: options from the <c>Messaging</c> section (validated at start-up), the publisher,
    /// the in-memory transport, the transport selected by <c>Messaging:Transport</c>, and a hosted service
    /// that prepares the topology at start and runs this endpoint's consumer.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (root); the <c>Messaging</c> section is read.</param>
    /// <returns>A builder to map message types, add handlers and transports.</returns>
    public static MessagingBuilder AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = new MessagingBuilder(services, configuration);
        services.BindAndValidate<MessagingOptions>(configuration.GetSection(MessagingOptions.SectionName));
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddSingleton(builder.Routes);
        services.AddSingleton<HandlerRegistry>(_ => new HandlerRegistry(builder.Handlers, builder.Routes));
        services.TryAddSingleton<IMessageSerializer, SystemTextJsonMessageSerializer>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MessagingStatistics>();
        services.AddSingleton<IEnvelopeFactory, EnvelopeFactory>();
        services.AddSingleton<OutgoingPipeline>();
        services.AddSingleton<IMessagePublisher, MessagePublisher>();
        services.AddSingleton<MessagePipeline>();
        services.AddSingleton<IMessageTransport>(sp => SelectTransport(sp));
        services.AddSingleton<MessagingTransports>();
        services.AddSingleton<TransportUsage>();
        services.AddSingleton<FatalStartup>();
        services.AddSingleton<StartupGuarantees>();
        services.AddHostedService<MessagingHostedService>();
        services.AddSingleton(new GuaranteeStatement(InMemoryTransport.TransportName, GuaranteeStatement.TransportTopic,
            endpoint => $"in-process queues: nothing survives a restart; dead letters kept in memory for {endpoint}"));
        builder.AddTransport(InMemoryTransport.TransportName, sp => new InMemoryTransport(sp.GetService<IDeadLetterRecorder>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        // Health lists only the transports this host uses: a registered package the configuration does not select says nothing.
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<TransportUsage, IEnumerable<TransportRegistration>>((health, usage, registered) =>
        {
            var unused = registered.Select(t => t.Name).Where(name => !usage.IsUsed(name)).Select(MessagingBuilder.HealthCheckName).ToHashSet(StringComparer.Ordinal);
            foreach (var registration in health.Registrations.Where(r => unused.Contains(r.Name)).ToList()) health.Registrations.Remove(registration);
        });
        return builder;
    }

    private static IMessageTransport SelectTransport(IServiceProvider services)
    {
        // Options validation has already named the key if Messaging:Transport is not registered.
        var name = services.GetRequiredService<IOptions<MessagingOptions>>().Value.Transport;
        return TransportRegistration.Find([.. services.GetServices<TransportRegistration>()], name).Factory(services);
    }
}
