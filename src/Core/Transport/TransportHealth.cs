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
    private readonly Dictionary<string, (ConsumerCondition Condition, string Problem)> _consumers = new(StringComparer.Ordinal);
    private (DateTimeOffset Since, string Reason, DateTimeOffset LastSummary)? _publishPause;

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

    /// <summary>The worst condition any consumer endpoint of this transport reported (see <see cref="ReportConsumerCondition"/>).</summary>
    public ConsumerCondition ConsumerCondition
    {
        get { lock (_lock) return _consumers.Count == 0 ? ConsumerCondition.Consuming : _consumers.Values.Max(c => c.Condition); }
    }

    /// <summary>Why the worst consumer endpoint is not consuming, for a person; null while every endpoint consumes.</summary>
    public string? ConsumerProblem
    {
        get
        {
            lock (_lock)
                return _consumers.Values.Where(c => c.Condition != ConsumerCondition.Consuming).OrderByDescending(c => c.Condition).Select(c => c.Problem).FirstOrDefault();
        }
    }

    /// <summary>Records whether the consumers of <paramref name="endpoint"/> consume (called by transports, at most about
    /// once a second). A change is logged once: Warning (event 1013) when an endpoint stops consuming, Information (event
    /// 1014) when it consumes again.</summary>
    /// <param name="endpoint">The consumer endpoint (queue or consumer group).</param>
    /// <param name="condition">Its condition now.</param>
    /// <param name="problem">What is wrong, for a person (no credentials); ignored for <see cref="ConsumerCondition.Consuming"/>.</param>
    public void ReportConsumerCondition(string endpoint, ConsumerCondition condition, string? problem)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        lock (_lock)
        {
            var before = _consumers.TryGetValue(endpoint, out var was) ? was.Condition : ConsumerCondition.Consuming;
            if (condition == ConsumerCondition.Consuming) _consumers.Remove(endpoint);
            else _consumers[endpoint] = (condition, problem ?? condition.ToString());
            if (condition == before) return;
            if (condition == ConsumerCondition.Consuming) Log.ConsumersConsumingAgain(_logger, Transport, endpoint);
            else Log.ConsumersNotConsuming(_logger, Transport, endpoint, condition.ToString(), problem ?? "");
        }
    }

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

    /// <summary>Since when publishing through this transport is paused (UTC): the outbox stopped claiming its rows after a
    /// send failed as an outage, or after the broker became unavailable, and sends one probe row at a time until the broker
    /// confirms one. Null while publishing flows. The broker's reachability (<see cref="IsAvailable"/>) and this pause are
    /// the two sides of one transport's outage, kept here together.</summary>
    public DateTimeOffset? PublishPausedSince
    {
        get { lock (_lock) return _publishPause?.Since; }
    }

    /// <summary>Why publishing is paused (the first reason of this pause, no credentials); null while it flows.</summary>
    public string? PublishPauseReason
    {
        get { lock (_lock) return _publishPause?.Reason; }
    }

    /// <summary>Pauses publishing (see <see cref="PublishPausedSince"/>); nothing changes when it is paused already.</summary>
    /// <param name="reason">What failed, for a person; must not contain credentials.</param>
    /// <returns>True when this call started the pause (log it once).</returns>
    public bool PausePublishing(string reason)
    {
        lock (_lock)
        {
            if (_publishPause is not null) return false;
            var now = _time.GetUtcNow();
            _publishPause = (now, reason, now);
            return true;
        }
    }

    /// <summary>Ends the publishing pause: a probe row was confirmed.</summary>
    /// <returns>How long the pause lasted; null when publishing was not paused.</returns>
    public TimeSpan? ResumePublishing()
    {
        lock (_lock)
        {
            if (_publishPause is not { } pause) return null;
            _publishPause = null;
            return _time.GetUtcNow() - pause.Since;
        }
    }

    /// <summary>Whether the still-paused summary of the publishing pause is due: at most once per <see cref="SummaryInterval"/>;
    /// true marks it given.</summary>
    /// <param name="pausedFor">How long publishing has been paused.</param>
    /// <param name="reason">Why.</param>
    /// <returns>True when a summary is due now.</returns>
    public bool PublishPauseSummaryDue(out TimeSpan pausedFor, out string reason)
    {
        lock (_lock)
        {
            (pausedFor, reason) = (TimeSpan.Zero, "");
            var now = _time.GetUtcNow();
            if (_publishPause is not { } pause || now - pause.LastSummary < SummaryInterval) return false;
            _publishPause = pause with { LastSummary = now };
            (pausedFor, reason) = (now - pause.Since, pause.Reason);
            return true;
        }
    }

    /// <summary>Waits <paramref name="delay"/>, or less when the broker becomes available meanwhile (so a loop that is
    /// backing off retries as soon as the broker is back); false when <paramref name="cancellationToken"/> ended it.</summary>
    /// <param name="delay">The longest wait.</param>
    /// <param name="time">The clock the wait runs on.</param>
    /// <param name="cancellationToken">Ends the wait early (the result is then false).</param>
    /// <returns>True when the delay passed or the broker became available; false when cancelled.</returns>
    public async Task<bool> WaitOrUntilAvailableAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        using var available = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnChanged(TransportHealth health)
        {
            try
            {
                if (health.IsAvailable) available.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // raised while this wait was ending
            }
        }
        Changed += OnChanged;
        try
        {
            await Task.Delay(delay, time, available.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // back, or stopping
        }
        finally
        {
            Changed -= OnChanged;
        }
        return !cancellationToken.IsCancellationRequested;
    }
}
