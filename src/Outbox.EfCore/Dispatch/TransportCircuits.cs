using System.Collections.Concurrent;
using Messaging.Configuration;
using Messaging.Hosting;
using Messaging.Outbox.Writing;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// The dispatcher's view of each transport it publishes through: flowing, or paused because its broker cannot be
/// reached. A paused transport's rows are not claimed (rows of other transports keep flowing); one row at a time
/// probes it, with backoff and jitter from <see cref="OutboxOptions.PollIntervalMs"/> up to
/// <see cref="OutboxOptions.MaxBackoffMs"/>, and at once when the transport's own health says the broker is back.
/// A transport pauses when a send fails as an outage or when its <see cref="TransportHealth"/> turns unavailable.
/// </summary>
internal sealed class TransportCircuits
{
    private sealed class Circuit(string transport, string reason, DateTimeOffset since)
    {
        public string Transport { get; } = transport;
        public string Reason { get; } = reason;
        public DateTimeOffset Since { get; } = since;
        public DateTimeOffset NextProbe { get; set; } = since;
        public DateTimeOffset LastSummary { get; set; } = since;
        public int Probes { get; set; }
        public bool Probing { get; set; }
    }

    private readonly ConcurrentDictionary<string, Circuit> _paused = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _watched = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly MessagingTransports _transports;
    private readonly OutboxSignal _signal;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<bool> _nullRowsClaimable; // legacy rows with no transport: only a durable primary takes them

    public TransportCircuits(MessagingTransports transports, IOptions<MessagingOptions> messaging, MessageTypeMap routes,
        IEnumerable<OutboxTransportTarget> targets, OutboxSignal signal, IOptions<OutboxOptions> options, TimeProvider time,
        ILogger<TransportCircuits> logger)
    {
        _transports = transports;
        _signal = signal;
        _options = options.Value;
        _time = time;
        _logger = logger;
        Primary = transports.PrimaryName;
        Used = new HashSet<string>(routes.Routes.Select(r => NameOf(r.Transport)).Append(Primary)
            .Concat(messaging.Value.ConsumedTransports()).Concat(targets.Select(t => t.Transport)), StringComparer.OrdinalIgnoreCase);
        _nullRowsClaimable = new Lazy<bool>(() => transports.Primary.Capabilities.HasFlag(TransportCapabilities.Durable));
    }

    /// <summary>The primary transport's name: the one a row with a null <c>transport</c> goes through.</summary>
    public string Primary { get; }

    /// <summary>The transports whose rows this host sends: the primary, the routes', the consumed ones (a re-driven dead
    /// letter goes back through the transport it came from) and the bridges'. Rows naming any other transport are left
    /// to a host that uses it.</summary>
    public IReadOnlySet<string> Used { get; }

    /// <summary>The transports paused now.</summary>
    public IReadOnlyCollection<string> Paused => [.. _paused.Keys];

    /// <summary>True when every transport the application publishes through is paused: claiming would find only probes' work.</summary>
    public bool AllPaused => Used.All(_paused.ContainsKey);

    /// <summary>The rows a batch claim may take: those of the used transports that are not paused.</summary>
    public ClaimScope Flowing()
    {
        var paused = _paused.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ClaimScope([.. Used.Where(t => !paused.Contains(t))], !paused.Contains(Primary) && _nullRowsClaimable.Value, null);
    }

    /// <summary>One row of <paramref name="transport"/>, to probe its broker (or to count its rows).</summary>
    public ClaimScope ProbeOf(string transport) =>
        new([transport], string.Equals(transport, Primary, StringComparison.OrdinalIgnoreCase) && _nullRowsClaimable.Value, 1);

    /// <summary>True when <paramref name="rowTransport"/> (a row's <c>transport</c> column) is one this host sends.</summary>
    public bool Sends(string? rowTransport) => rowTransport is null ? _nullRowsClaimable.Value : Used.Contains(rowTransport);

    /// <summary>The transport a row goes through.</summary>
    public string NameOf(string? rowTransport) => _transports.NameOrPrimary(rowTransport);

    /// <summary>Watches the published transports' health, so a broker that goes away pauses its rows before a send
    /// fails and one that comes back is probed at once. Called when the dispatcher starts.</summary>
    public void Watch()
    {
        foreach (var name in Used) Watch(name);
    }

    /// <summary>Pauses <paramref name="transport"/> (logged once per outage).</summary>
    public void Pause(string transport, string reason)
    {
        var now = _time.GetUtcNow();
        var circuit = new Circuit(transport, reason, now) { NextProbe = now + Backoff.Delay(1, PollInterval, MaxBackoff) };
        if (_paused.TryAdd(transport, circuit)) OutboxLog.TransportPaused(_logger, transport, reason);
        Watch(transport);
    }

    /// <summary>The paused transports whose next probe is due; each is marked probing until its outcome is known.</summary>
    public IReadOnlyList<string> DueProbes()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var due = _paused.Values.Where(c => !c.Probing && c.NextProbe <= now).ToList();
            foreach (var circuit in due) circuit.Probing = true;
            return due.ConvertAll(c => c.Transport);
        }
    }

    /// <summary>The probe found the broker still away (or nothing to send while the transport says it is away).</summary>
    public void ProbeFailed(string transport)
    {
        if (!_paused.TryGetValue(transport, out var circuit)) return;
        lock (_lock)
        {
            circuit.Probes++;
            circuit.NextProbe = _time.GetUtcNow() + Backoff.Delay(circuit.Probes + 1, PollInterval, MaxBackoff);
            circuit.Probing = false;
        }
    }

    /// <summary>Ends the pause; returns how long it lasted, or null when the transport was not paused.</summary>
    public TimeSpan? Resume(string transport) =>
        _paused.TryRemove(transport, out var circuit) ? _time.GetUtcNow() - circuit.Since : null;

    /// <summary>Paused transports whose minute-apart summary line is due, with how long they have been paused and why.</summary>
    public IReadOnlyList<(string Transport, TimeSpan PausedFor, string Reason)> SummariesDue()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var due = _paused.Values.Where(c => now - c.LastSummary >= TransportHealth.SummaryInterval).ToList();
            foreach (var circuit in due) circuit.LastSummary = now;
            return due.ConvertAll(c => (c.Transport, now - c.Since, c.Reason));
        }
    }

    /// <summary>The health of a transport's broker, for probes that found no row to send.</summary>
    public bool IsAvailable(string transport) => _transports.Get(transport).Health.IsAvailable;

    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(_options.PollIntervalMs);
    private TimeSpan MaxBackoff => TimeSpan.FromMilliseconds(_options.MaxBackoffMs);

    private void Watch(string transport)
    {
        if (!_watched.TryAdd(transport, 0)) return;
        TransportHealth health;
        try { health = _transports.Get(transport).Health; }
        catch (InvalidOperationException) { return; } // not registered: its rows fail with that reason when sent
        health.Changed += OnHealthChanged;
        if (!health.IsAvailable) Pause(transport, health.Problem ?? "unavailable");
    }

    private void OnHealthChanged(TransportHealth health)
    {
        var name = _paused.Keys.FirstOrDefault(k => string.Equals(k, health.Transport, StringComparison.OrdinalIgnoreCase)) ?? health.Transport;
        if (!health.IsAvailable)
        {
            Pause(name, health.Problem ?? "unavailable");
            return;
        }
        if (_paused.TryGetValue(name, out var circuit))
        {
            lock (_lock) circuit.NextProbe = _time.GetUtcNow();
            _signal.Wake();
        }
    }
}
