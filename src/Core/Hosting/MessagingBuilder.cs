using Messaging.Configuration;
using Messaging.Transport;
using Messaging.Diagnostics;
using Messaging.Handling;
using Messaging.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>
/// Returned by <see cref="MessagingServiceCollectionExtensions.AddMessaging"/>: maps message types to
/// destinations, registers handlers and transports. Not thread-safe; use during start-up only.
/// </summary>
public sealed class MessagingBuilder
{
    internal MessagingBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The configuration <c>AddMessaging</c> was given; transports bind their sections from it.</summary>
    public IConfiguration Configuration { get; }

    internal MessageTypeMap Routes { get; } = new();
    internal List<HandlerDescriptor> Handlers { get; } = [];
    private readonly HashSet<string> _healthChecks = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Routes a message type to a destination (topic or exchange).</summary>
    /// <typeparam name="TMessage">The message type.</typeparam>
    /// <param name="destination">Topic (Kafka) or exchange (RabbitMQ) name.</param>
    /// <param name="partitionKey">Picks the partition key (ordering key) from a message; null for none.</param>
    /// <param name="name">Wire name of the type; default the type's full name.</param>
    /// <param name="transport">The transport that publishes it (<c>RabbitMq</c>, <c>Kafka</c>); null for the primary
    /// <c>Messaging:Transport</c>. An unregistered name fails at start-up.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The type or name is mapped already.</exception>
    public MessagingBuilder Map<TMessage>(string destination, Func<TMessage, string?>? partitionKey = null, string? name = null, string? transport = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        Func<object, string?>? key = partitionKey is null ? null : m => partitionKey((TMessage)m);
        Routes.Add(new MessageRoute(typeof(TMessage), name ?? typeof(TMessage).FullName!, destination, key, transport));
        return this;
    }

    /// <summary>
    /// Registers a handler for a mapped message type. The handler is resolved from a new scope per message;
    /// this endpoint (<c>Messaging:Endpoint</c>) subscribes to the type's destination.
    /// </summary>
    /// <typeparam name="TMessage">The message type; must be mapped with <see cref="Map{TMessage}"/>.</typeparam>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <param name="name">Stable handler name for the inbox; default the handler's full type name.
    /// Keep it when renaming the class, or the inbox will not recognise earlier messages.</param>
    /// <returns>This builder.</returns>
    public MessagingBuilder AddHandler<TMessage, THandler>(string? name = null)
        where THandler : class, IMessageHandler<TMessage>
    {
        Services.AddScoped<THandler>();
        Handlers.Add(new HandlerDescriptor(typeof(TMessage), typeof(THandler), name ?? typeof(THandler).FullName!,
            (services, message, context, ct) => services.GetRequiredService<THandler>().HandleAsync((TMessage)message, context, ct)));
        return this;
    }

    /// <summary>
    /// Registers every handler class of <paramref name="assembly"/>: each non-abstract, non-generic class (nested ones too)
    /// that implements <see cref="IMessageHandler{TMessage}"/> (once per message type it handles), as
    /// <see cref="AddHandler{TMessage, THandler}"/> would, in the order of their full names; one added with
    /// <see cref="AddHandler{TMessage, THandler}"/> before keeps its explicit name. The name of each (the inbox
    /// key) is its <see cref="HandlerNameAttribute"/>, else its full type name. Every handled message type must still be
    /// mapped with <see cref="Map{TMessage}"/>; an unmapped one fails start-up.
    /// </summary>
    /// <param name="assembly">The assembly to scan, for example <c>typeof(Program).Assembly</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="assembly"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The assembly holds no handler class (a wrong assembly would otherwise
    /// leave the endpoint handling nothing).</exception>
    public MessagingBuilder AddHandlersFromAssembly(System.Reflection.Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var found = 0;
        var add = typeof(MessagingBuilder).GetMethod(nameof(AddHandler))!;
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var name = type.GetCustomAttributes(typeof(HandlerNameAttribute), inherit: false).OfType<HandlerNameAttribute>().FirstOrDefault()?.Name;
            foreach (var handled in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMessageHandler<>)))
            {
                found++;
                var message = handled.GenericTypeArguments[0];
                if (Handlers.Any(h => h.HandlerType == type && h.MessageType == message)) continue; // added by name already
                add.MakeGenericMethod(message, type).Invoke(this, [name]);
            }
        }
        return found > 0 ? this : throw new InvalidOperationException(
            $"AddHandlersFromAssembly: {assembly.GetName().Name} has no class implementing IMessageHandler<T>; pass the assembly that holds the handlers.");
    }

    /// <summary>Makes a transport available under a configuration name (called by transport packages), and adds its
    /// health check <c>messaging-&lt;name&gt;</c> (tag <c>messaging</c>; Unhealthy while its broker cannot be reached)
    /// to <c>AddHealthChecks()</c>, so <c>MapHealthChecks</c> shows it while the host uses the transport
    /// (<c>Messaging:Transport</c>, <c>Messaging:ConsumeFrom</c> or a route); an unused one is not listed.</summary>
    /// <param name="name">The <c>Messaging:Transport</c> value that selects it.</param>
    /// <param name="factory">Creates the transport; called once, only if selected.</param>
    /// <returns>This builder.</returns>
    public MessagingBuilder AddTransport(string name, Func<IServiceProvider, Transport.IMessageTransport> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Services.AddSingleton(new TransportRegistration(name, factory));
        if (_healthChecks.Add(name))
            Services.AddHealthChecks().Add(new HealthCheckRegistration(HealthCheckName(name),
                services => ActivatorUtilities.CreateInstance<TransportHealthCheck>(services, name), HealthStatus.Unhealthy, [HealthTag]));
        return this;
    }

    /// <summary>
    /// The registration every transport package makes, in one call: binds <typeparamref name="TOptions"/> from the
    /// configuration section <paramref name="configurationSection"/> (an unknown enum value fails naming its key),
    /// validates them with <typeparamref name="TValidator"/> at host start-up, adds the transport's sentence to the
    /// start-up guarantee report (event 1010), and makes the transport available as <paramref name="name"/> with its
    /// health check (see <see cref="AddTransport(string, Func{IServiceProvider, Transport.IMessageTransport})"/>).
    /// Calling it again for a name already registered changes nothing.
    /// </summary>
    /// <typeparam name="TOptions">The transport's options class.</typeparam>
    /// <typeparam name="TValidator">Checks the bound options; its failures stop the host with an
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that should name each key.</typeparam>
    /// <param name="name">The <c>Messaging:Transport</c> value that selects the transport.</param>
    /// <param name="configurationSection">The section its options are bound from, for example <c>Messaging:Kafka</c>.</param>
    /// <param name="describeGuarantees">The options and an endpoint name → one sentence for the start-up report saying
    /// what the transport guarantees with those settings; never a secret.</param>
    /// <param name="factory">Creates the transport from the services and its bound options; called once, only if selected.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="configurationSection"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="describeGuarantees"/> or <paramref name="factory"/> is null.</exception>
    public MessagingBuilder AddTransport<TOptions, TValidator>(string name, string configurationSection,
        Func<TOptions, string, string> describeGuarantees, Func<IServiceProvider, TOptions, Transport.IMessageTransport> factory)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(configurationSection);
        ArgumentNullException.ThrowIfNull(describeGuarantees);
        ArgumentNullException.ThrowIfNull(factory);
        if (_healthChecks.Contains(name)) return this;
        Services.BindAndValidate<TOptions>(Configuration.GetSection(configurationSection));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<TOptions>>().Value;
            return new GuaranteeStatement(name, GuaranteeStatement.TransportTopic, endpoint => describeGuarantees(options, endpoint));
        });
        return AddTransport(name, services => factory(services, services.GetRequiredService<IOptions<TOptions>>().Value));
    }

    /// <summary>The name of a transport's health check: <c>messaging-&lt;name in lower case&gt;</c>.</summary>
    internal static string HealthCheckName(string transport) => $"messaging-{transport.ToLowerInvariant()}";

    /// <summary>The tag of every health check the library adds: <c>messaging</c>.</summary>
    public const string HealthTag = "messaging";

    /// <summary>Adds a filter around every handler execution (the inbox uses this).</summary>
    /// <typeparam name="TFilter">The filter; registered as scoped.</typeparam>
    /// <returns>This builder.</returns>
    public MessagingBuilder AddHandlerFilter<TFilter>() where TFilter : class, IHandlerFilter
    {
        Services.AddScoped<IHandlerFilter, TFilter>();
        return this;
    }
}
