using Microsoft.Extensions.Logging;

namespace Messaging.Transport;

/// <summary>
/// Whether a transport can reach its broker now, as the transport last saw it (connection lost or recovered,
/// every Kafka broker down or answering again). One per transport; thread-safe. It also writes the transport's
/// outage log: one Warning when the broker becomes unavailable, a summary at most every
/// <see cref="SummaryInterval"/> while it stays so, one Information line with the outage's length when it is back.
/// </summary>
/// <remarks>Read by the outbox dispatcher (a transport that is unavailable is paused as a whole, its rows keep their
/// attempts), by the health checks, and by the host while it waits for a broker that was down at start-up.</remarks>
public sealed class TransportHealth
{
    /// <summary>Longest time between two outage log lines while the broker stays unavailable: 60 s.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile bool _available = true;
    private DateTimeOffset? _since;
    private string? _problem;
    private DateTimeOffset _lastLog;
    private long _reports;

    /// <summary>Creates the health of one transport, available until told otherwise.</summary>
    /// <param name="transport">The transport's name (<c>RabbitMq</c>, <c>Kafka</c>), for logs and health checks.</param>
    /// <param name="logger">Where the outage lines go.</param>
    /// <param name="time">The clock; null for the system clock.</param>
    public TransportHealth(string transport, ILogger logger, TimeProvider? time = null)
    {
        Transport = transport;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised (outside any lock) when the transport becomes available or unavailable.</summary>
    public event Action<TransportHealth>? Changed;

    /// <summary>The transport's name.</summary>
    public string Transport { get; }

    /// <summary>True unless the transport last saw its broker unreachable.</summary>
    public bool IsAvailable => _available;

    /// <summary>Why the broker is unavailable (the first reason of this outage, no credentials); null when available.</summary>
    public string? Problem
    {
        get { lock (_lock) return _problem; }
    }

    /// <summary>When this outage began (UTC); null when available.</summary>
    public DateTimeOffset? UnavailableSince
    {
        get { lock (_lock) return _since; }
    }

    /// <summary>True once every consumer endpoint of this transport is declared and receiving; false while the host
    /// waits for the broker (or when this host consumes nothing from it).</summary>
    public bool ConsumersRunning { get; internal set; }

    /// <summary>Records that the broker could not be reached. The first report of an outage logs a Warning; later
    /// ones log a summary at most every <see cref="SummaryInterval"/>.</summary>
    /// <param name="reason">What failed, for a person; must not contain credentials.</param>
    public void ReportUnavailable(string reason)
    {
        bool changed;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            changed = _available;
            _reports++;
            if (changed)
            {
                _available = false;
                _since = now;
                _problem = reason;
                _reports = 1;
                _lastLog = now;
                Log.TransportUnavailable(_logger, Transport, reason);
            }
            else if (now - _lastLog >= SummaryInterval)
            {
                _lastLog = now;
                Log.TransportStillUnavailable(_logger, Transport, (long)(now - _since!.Value).TotalSeconds, _reports, reason);
            }
        }
        if (changed) Changed?.Invoke(this);
    }

    /// <summary>Records that the broker answers again; logs the outage's length once.</summary>
    public void ReportAvailable()
    {
        if (_available) return;
        lock (_lock)
        {
            if (_available) return;
            _available = true;
            Log.TransportAvailable(_logger, Transport, (long)(_time.GetUtcNow() - _since!.Value).TotalMilliseconds, _problem ?? "");
            _since = null;
            _problem = null;
        }
        Changed?.Invoke(this);
    }
}
