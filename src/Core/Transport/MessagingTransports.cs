using System.Collections.Concurrent;
using Messaging.Configuration;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messaging.Transport;

/// <summary>
/// The transports a host uses: the primary one (<c>Messaging:Transport</c>, also resolvable as
/// <see cref="IMessageTransport"/>) and any other registered transport asked for by name (routes with a
/// transport, <c>Messaging:ConsumeFrom</c>, the outbox). Each is created once, on first use.
/// </summary>
public sealed class MessagingTransports : IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly MessagingOptions _options;
    private TransportRegistration[]? _registered;
    private readonly ConcurrentDictionary<string, Lazy<IMessageTransport>> _others = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Created by dependency injection.</summary>
    /// <param name="services">The root service provider.</param>
    /// <param name="options">The validated core options.</param>
    public MessagingTransports(IServiceProvider services, IOptions<MessagingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
    }

    /// <summary>The primary transport (<c>Messaging:Transport</c>).</summary>
    public IMessageTransport Primary => _services.GetRequiredService<IMessageTransport>();

    /// <summary>The transports this endpoint consumes from (<c>Messaging:ConsumeFrom</c>, default the primary).</summary>
    public IReadOnlyList<IMessageTransport> Consumed => _options.ConsumedTransports().Select(Get).ToList();

    /// <summary>Gets a transport by name, creating it on first use.</summary>
    /// <param name="name">A registered transport name (case-insensitive); null or empty for the primary.</param>
    /// <returns>The transport, shared by every caller.</returns>
    /// <exception cref="InvalidOperationException">No transport of that name is registered.</exception>
    public IMessageTransport Get(string? name)
    {
        var wanted = NameOrPrimary(name);
        if (string.Equals(wanted, PrimaryName, StringComparison.OrdinalIgnoreCase)) return Primary;
        return _others.GetOrAdd(wanted, n => new Lazy<IMessageTransport>(() => Create(n))).Value;
    }

    /// <summary>The primary transport's name, as configured (<c>Messaging:Transport</c>).</summary>
    public string PrimaryName => _options.Transport;

    /// <summary>The one rule for a transport left unnamed (a route without one, an outbox row written before rows named
    /// theirs): <paramref name="name"/> itself, or <see cref="PrimaryName"/> when it is null or empty. Not checked
    /// against the registrations (see <see cref="Resolve"/>).</summary>
    /// <param name="name">A transport name, or null or empty.</param>
    /// <returns>The name the transport goes by here.</returns>
    public string NameOrPrimary(string? name) => NameOrPrimary(name, PrimaryName)!;

    /// <summary>The same rule where only the primary's name is known, as a tool reading the tables knows it:
    /// <paramref name="name"/> itself, or <paramref name="primary"/> when it is null or empty.</summary>
    /// <param name="name">A transport name, or null or empty.</param>
    /// <param name="primary">The primary transport's name (<c>Messaging:Transport</c>); null when unknown.</param>
    /// <returns>The name the transport goes by; null when it is unnamed and the primary is unknown.</returns>
    public static string? NameOrPrimary(string? name, string? primary) => string.IsNullOrEmpty(name) ? primary : name;

    /// <summary>The registered name a row or route's transport stands for: <paramref name="name"/> as it was registered, or the
    /// primary's (<c>Messaging:Transport</c>) for null or empty. The outbox writes this name into every row, so a row is only
    /// ever published through the transport its writer meant.</summary>
    /// <param name="name">A transport name (case-insensitive), or null or empty for the primary.</param>
    /// <returns>The name as registered, for example <c>RabbitMq</c>.</returns>
    /// <exception cref="InvalidOperationException">No transport of that name is registered.</exception>
    public string Resolve(string? name)
    {
        return Registration(NameOrPrimary(name)).Name;
    }

    /// <summary>Disposes the transports created here (the primary is disposed by the container).</summary>
    /// <returns>A task that completes when they are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _others.Values.Where(l => l.IsValueCreated))
            await transport.Value.DisposeAsync().ConfigureAwait(false);
        _others.Clear();
    }

    private IMessageTransport Create(string name) => Registration(name).Factory(_services);

    // Read once: the outbox resolves a transport for every message it enqueues.
    private TransportRegistration Registration(string name) =>
        TransportRegistration.Find(_registered ??= [.. _services.GetServices<TransportRegistration>()], name);
}
