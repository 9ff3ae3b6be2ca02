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

    /// <summary>Disposes the transports created here (the primary is disposed by the container).</summary>
    /// <returns>A task that completes when they are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _others.Values.Where(l => l.IsValueCreated))
            await transport.Value.DisposeAsync().ConfigureAwait(false);
        _others.Clear();
    }

    private IMessageTransport Create(string name)
    {
        var registration = _services.GetServices<TransportRegistration>()
            .LastOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"Transport '{name}' is not registered; registered: {string.Join(", ", _services.GetServices<TransportRegistration>().Select(t => t.Name))}.");
        return registration.Factory(_services);
    }
}
