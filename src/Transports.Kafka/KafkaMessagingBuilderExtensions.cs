using Messaging.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messaging.Kafka;

/// <summary>Registers the Kafka transport on a <see cref="MessagingBuilder"/>.</summary>
public static class KafkaMessagingBuilderExtensions
{
    /// <summary>
    /// Makes the Kafka transport available as <c>Messaging:Transport = Kafka</c>. Binds <see cref="KafkaOptions"/>
    /// from <c>Messaging:Kafka</c>; when Kafka is the selected transport they are validated at start-up and an
    /// invalid value stops the host with an <see cref="OptionsValidationException"/> naming the key.
    /// </summary>
    /// <remarks>
    /// Delivery guarantee: a publish completes only after a delivery report with <c>acks=all</c> from an
    /// idempotent producer (at-least-once, no producer duplicates). Consumed messages are handled up to
    /// <see cref="KafkaOptions.MaxConcurrency"/> at once in offset order per partition or per key
    /// (<see cref="KafkaOrderingMode"/>); per partition only the contiguous watermark of finished messages (handled,
    /// or dead-lettered with a confirmed publish) is committed, so a crash or rebalance redelivers, never skips. Also registers <see cref="KafkaReplay"/> to move a consumer group's offsets back.
    /// </remarks>
    /// <param name="builder">The builder returned by <c>AddMessaging</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static MessagingBuilder AddKafka(this MessagingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<KafkaReplay>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Transport.IBrokerDeadLetterSource, KafkaDeadLetterSource>());
        builder.Services.PostConfigure<KafkaOptions>(options => KafkaFormerKeys.Apply(builder.Configuration.GetSection(KafkaOptions.SectionName), options));
        return builder.AddTransport<KafkaOptions, KafkaOptionsValidator>(KafkaTransport.TransportName, KafkaOptions.SectionName,
            KafkaGuarantees.Describe, (services, options) => new KafkaTransport(options,
                services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                services.GetService<TimeProvider>() ?? TimeProvider.System,
                services.GetService<Transport.IDeadLetterRecorder>()));
    }
}
