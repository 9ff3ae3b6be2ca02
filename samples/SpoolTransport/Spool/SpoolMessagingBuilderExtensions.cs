using Messaging.Hosting;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Spool;

/// <summary>Registers the spool transport through Core's one registration recipe.</summary>
public static class SpoolMessagingBuilderExtensions
{
    /// <summary>Adds the transport <c>Spool</c> (selected by <c>Messaging:Transport=Spool</c>), its options from
    /// <c>Messaging:Spool</c> validated at start-up, its sentence in the start-up guarantee report and its health check.</summary>
    /// <param name="builder">The application's messaging builder.</param>
    /// <returns>The builder.</returns>
    public static MessagingBuilder AddSpool(this MessagingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddTransport<SpoolOptions, SpoolOptionsValidator>(SpoolTransport.TransportName, "Messaging:Spool",
            (options, endpoint) => $"spool folder {options.Root}: a publish returns once the message file is written and flushed to disk "
                + $"for every endpoint bound to its destination; {endpoint} handles one message at a time in file order and deletes "
                + "it only after it was handled (at-least-once; an unfinished message is read again)",
            (services, options) => new SpoolTransport(options,
                (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<SpoolTransport>(),
                services.GetService<IDeadLetterRecorder>(), services.GetService<TimeProvider>()));
    }
}
