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
/// A transport pauses when a send fails as an outage or when its <see cref="TransportHealth"/> turns unavailable. The
/// pause itself (since when, why, when it was last summarized) is the transport's <see cref="TransportHealth"/>'s
/// (<see cref="TransportHealth.PublishPausedSince"/>): one outage state per transport; this class keeps only the probes'
/// schedule.
/// </summary>
internal sealed class TransportCircuits
{
    private sealed class ProbeSchedule(DateTimeOffset next)
    {
        public DateTimeOffset NextProbe { get; set; } = next;
        public int Probes { get; set; }
        public bool Probing { get; set; }
    }

    private readonly ConcurrentDictionary<string, ProbeSchedule> _probes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, TransportHealth> _watched = new(StringComparer.OrdinalIgnoreCase);
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
    public IReadOnlyCollection<string> Paused => [.. _watched.Where(w => w.Value.PublishPausedSince is not null).Select(w => w.Key)];

    /// <summary>Whether publishing through <paramref name="transport"/> is paused now.</summary>
    public bool IsPaused(string transport) => _watched.TryGetValue(transport, out var health) && health.PublishPausedSince is not null;

    /// <summary>True when every transport the application publishes through is paused: claiming would find only probes' work.</summary>
    public bool AllPaused => Used.All(IsPaused);

    /// <summary>The rows a batch claim may take: those of the used transports that are not paused.</summary>
    public ClaimScope Flowing() => new([.. Used.Where(t => !IsPaused(t))], !IsPaused(Primary) && _nullRowsClaimable.Value, null);

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
        if (Watch(transport) is not { } health) return; // not registered: its rows fail with that reason when sent
        if (!health.PausePublishing(reason)) return;
        OutboxLog.TransportPaused(_logger, transport, reason);
        _probes[transport] = new ProbeSchedule(_time.GetUtcNow() + Backoff.Delay(1, PollInterval, MaxBackoff));
    }

    /// <summary>The paused transports whose next probe is due; each is marked probing until its outcome is known.</summary>
    public IReadOnlyList<string> DueProbes()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var due = new List<string>();
            foreach (var transport in Paused)
            {
                var schedule = _probes.GetOrAdd(transport, _ => new ProbeSchedule(now));
                if (schedule.Probing || schedule.NextProbe > now) continue;
                schedule.Probing = true;
                due.Add(transport);
            }
            return due;
        }
    }

    /// <summary>The probe found the broker still away (or nothing to send while the transport says it is away).</summary>
    public void ProbeFailed(string transport)
    {
        if (!_probes.TryGetValue(transport, out var schedule)) return;
        lock (_lock)
        {
            schedule.Probes++;
            schedule.NextProbe = _time.GetUtcNow() + Backoff.Delay(schedule.Probes + 1, PollInterval, MaxBackoff);
            schedule.Probing = false;
        }
    }

    /// <summary>Ends the pause; returns how long it lasted, or null when the transport was not paused.</summary>
    public TimeSpan? Resume(string transport)
    {
        _probes.TryRemove(transport, out _);
        return _watched.TryGetValue(transport, out var health) ? health.ResumePublishing() : null;
    }

    /// <summary>Paused transports whose minute-apart summary line is due, with how long they have been paused and why.</summary>
    public IReadOnlyList<(string Transport, TimeSpan PausedFor, string Reason)> SummariesDue()
    {
        var due = new List<(string, TimeSpan, string)>();
        foreach (var (transport, health) in _watched)
            if (health.PublishPauseSummaryDue(out var pausedFor, out var reason)) due.Add((transport, pausedFor, reason));
        return due;
    }

    /// <summary>The health of a transport's broker, for probes that found no row to send.</summary>
    public bool IsAvailable(string transport) => _transports.Get(transport).Health.IsAvailable;


    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(_options.PollIntervalMs);
    private TimeSpan MaxBackoff => TimeSpan.FromMilliseconds(_options.MaxBackoffMs);

    /// <summary>The transport's health, watched from the first call on; null when no such transport is registered.</summary>
    private TransportHealth? Watch(string transport)
    {
        if (_watched.TryGetValue(transport, out var watched)) return watched;
        TransportHealth health;
        try { health = _transports.Get(transport).Health; }
        catch (InvalidOperationException) { return null; }
        if (!_watched.TryAdd(transport, health)) return _watched[transport];
        health.Changed += OnHealthChanged;
        if (!health.IsAvailable) Pause(transport, health.Problem ?? "unavailable");
        return health;
    }

    private void OnHealthChanged(TransportHealth health)
    {
        var name = _watched.FirstOrDefault(w => ReferenceEquals(w.Value, health)).Key ?? health.Transport;
        if (!health.IsAvailable)
        {
            Pause(name, health.Problem ?? "unavailable");
            return;
        }
        if (_probes.TryGetValue(name, out var schedule))
        {
            lock (_lock) schedule.NextProbe = _time.GetUtcNow();
            _signal.Wake();
        }
    }
}
