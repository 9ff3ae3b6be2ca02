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
        if (string.IsNullOrEmpty(name) || string.Equals(name, _options.Transport, StringComparison.OrdinalIgnoreCase)) return Primary;
        return _others.GetOrAdd(name, n => new Lazy<IMessageTransport>(() => Create(n))).Value;
    }

    /// <summary>The registered name a row or route's transport stands for: <paramref name="name"/> as it was registered, or the
    /// primary's (<c>Messaging:Transport</c>) for null or empty. The outbox writes this name into every row, so a row is only
    /// ever published through the transport its writer meant.</summary>
    /// <param name="name">A transport name (case-insensitive), or null or empty for the primary.</param>
    /// <returns>The name as registered, for example <c>RabbitMq</c>.</returns>
    /// <exception cref="InvalidOperationException">No transport of that name is registered.</exception>
    public string Resolve(string? name)
    {
        var wanted = string.IsNullOrEmpty(name) ? _options.Transport : name;
        return Registration(wanted).Name;
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

    private TransportRegistration Registration(string name)
    {
        // Read once: the outbox resolves a transport for every message it enqueues.
        var registered = _registered ??= [.. _services.GetServices<TransportRegistration>()];
        for (var i = registered.Length - 1; i >= 0; i--)
            if (string.Equals(registered[i].Name, name, StringComparison.OrdinalIgnoreCase)) return registered[i];
        throw new InvalidOperationException(
            $"Transport '{name}' is not registered; registered: {string.Join(", ", registered.Select(t => t.Name))}.");
    }
}
