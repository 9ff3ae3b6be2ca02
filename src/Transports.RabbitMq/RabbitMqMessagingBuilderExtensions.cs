using Messaging.Configuration;
using Messaging.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.RabbitMq;

/// <summary>Registers the RabbitMQ transport on a <see cref="MessagingBuilder"/>.</summary>
public static class RabbitMqMessagingBuilderExtensions
{
    /// <summary>
    /// Makes the RabbitMQ transport available as <c>Messaging:Transport = RabbitMq</c>, with
    /// <see cref="RabbitMqOptions"/> bound from <c>Messaging:RabbitMq</c> and validated at host start-up
    /// (only when RabbitMQ is the selected transport).
    /// </summary>
    /// <remarks>
    /// Delivery guarantee: a publish completes only after the broker's publisher confirm (persistent,
    /// <c>mandatory</c>), otherwise it throws <see cref="Publishing.PublishException"/>; a received message
    /// is acknowledged only after its handling finished, so it is delivered at least once. At start-up the
    /// host fails with <see cref="OptionsValidationException"/> for an invalid setting (the message names
    /// the key and the allowed values) and with <see cref="MessagingException"/> for an unreachable broker
    /// or a refused topology (naming host and vhost, never the password).
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddMessaging</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static MessagingBuilder AddRabbitMq(this MessagingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Transport.IBrokerDeadLetterSource, RabbitMqDeadLetterSource>());
        return builder.AddTransport<RabbitMqOptions, RabbitMqOptionsValidator>(RabbitMqTransport.TransportName, RabbitMqOptions.SectionName,
            RabbitMqGuarantees.Describe, (services, options) =>
            {
                var messaging = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
                var clientName = string.IsNullOrEmpty(options.ClientProvidedName) ? messaging.Endpoint : options.ClientProvidedName;
                var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
                return new RabbitMqTransport(options, clientName, messaging.Retry.DelayedRetryDelaysMs, services.GetService<TimeProvider>() ?? TimeProvider.System,
                    loggers.CreateLogger<RabbitMqTransport>(), services.GetService<Transport.IDeadLetterRecorder>());
            });
    }
}
