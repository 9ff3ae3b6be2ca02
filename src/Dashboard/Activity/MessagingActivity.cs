using System.Diagnostics.Metrics;
using Messaging.Diagnostics;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Dashboard.Activity;

/// <summary>
/// What this instance saw since it started, for the overview: per minute of the last hour the messages the broker confirmed,
/// the handler runs committed and the dead letters (from <see cref="MessagingStatistics"/>); the outages of each consumed
/// and the primary transport (<see cref="TransportHealth.Changed"/>, the last <see cref="MaxOutages"/>); Kafka consumer lag
/// per partition (the <c>messaging.kafka.consumer.lag</c> gauge of the <c>Messaging.Kafka</c> meter, read through a
/// <see cref="MeterListener"/>, so the dashboard needs no Kafka reference). Sampled every <see cref="SampleInterval"/> and
/// when a page asks. Nothing is stored: a restart starts empty.
/// </summary>
internal sealed class MessagingActivity(IServiceProvider services) : IHostedService, IDisposable
{
    public const int Minutes = 60;
    public const int MaxOutages = 50;
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);
    private const string KafkaMeter = "Messaging.Kafka";
    private const string KafkaLag = "messaging.kafka.consumer.lag";

    private readonly MessagingStatistics? _statistics = services.GetService<MessagingStatistics>();
    private readonly TimeProvider _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, MinuteCounts> _minutes = [];
    private readonly List<Outage> _outages = [];
    private readonly List<TransportHealth> _watched = [];
    private Dictionary<PartitionKey, long> _lags = [];
    private Dictionary<PartitionKey, long>? _reading;
    private (long Published, long Handled, long DeadLettered) _last;
    private MeterListener? _listener;
    private ITimer? _timer;

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>The transports watched for outages (primary and consumed), with their health now.</summary>
    public IReadOnlyList<TransportHealth> Transports
    {
        get { lock (_lock) return [.. _watched]; }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartedAt = _time.GetUtcNow();
        if (_statistics is not null) _last = (_statistics.Published, _statistics.Handled, _statistics.DeadLettered);
        if (services.GetService<MessagingTransports>() is { } transports)
            foreach (var transport in transports.Consumed.Prepend(transports.Primary).DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
                Watch(transport.Health);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument is { Name: KafkaLag, Meter.Name: KafkaMeter }) listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnLag);
        _listener.Start();
        _timer = _time.CreateTimer(_ => Sample(), null, SampleInterval, SampleInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _listener?.Dispose();
        lock (_lock)
        {
            foreach (var health in _watched) health.Changed -= OnChanged;
            _watched.Clear();
        }
    }

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current minute included (zeros where nothing happened).</summary>
    public IReadOnlyList<MinuteCounts> LastHour()
    {
        Sample();
        var now = MinuteOf(_time.GetUtcNow());
        lock (_lock)
            return [.. Enumerable.Range(0, Minutes).Select(i => now - Minutes + 1 + i)
                .Select(m => _minutes.TryGetValue(m, out var c) ? c : new MinuteCounts(DateTimeOffset.FromUnixTimeSeconds(m * 60), 0, 0, 0, 0))];
    }

    /// <summary>The outages seen, newest first; an ongoing one has no end.</summary>
    public IReadOnlyList<Outage> Outages()
    {
        lock (_lock) return [.. _outages.AsEnumerable().Reverse()];
    }

    /// <summary>Kafka consumer lag per partition as last read (sampled now), ordered by group, topic and partition.</summary>
    public IReadOnlyList<(PartitionKey Partition, long Lag)> Lags()
    {
        Sample();
        lock (_lock)
            return [.. _lags.Select(l => (l.Key, l.Value)).OrderBy(l => l.Key.Group, StringComparer.Ordinal)
                .ThenBy(l => l.Key.Topic, StringComparer.Ordinal).ThenBy(l => l.Key.Partition)];
    }

    private void Sample()
    {
        lock (_lock)
        {
            _reading = [];
            _listener?.RecordObservableInstruments(); // calls OnLag for each partition, on this thread
            _lags = _reading;
            _reading = null;
            var minute = MinuteOf(_time.GetUtcNow());
            var counts = _minutes.TryGetValue(minute, out var c) ? c : new MinuteCounts(DateTimeOffset.FromUnixTimeSeconds(minute * 60), 0, 0, 0, 0);
            if (_statistics is not null)
            {
                var now = (_statistics.Published, _statistics.Handled, _statistics.DeadLettered);
                counts = counts with
                {
                    Published = counts.Published + now.Published - _last.Published,
                    Handled = counts.Handled + now.Handled - _last.Handled,
                    DeadLettered = counts.DeadLettered + now.DeadLettered - _last.DeadLettered,
                };
                _last = now;
            }
            _minutes[minute] = counts with { Lag = Math.Max(counts.Lag, _lags.Values.Sum()) };
            while (_minutes.Count > 0 && _minutes.First().Key <= minute - Minutes) _minutes.Remove(_minutes.First().Key);
        }
    }

    private void OnLag(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? group = null, topic = null, partition = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "messaging.consumer.group.name": group = tag.Value as string; break;
                case "messaging.destination.name": topic = tag.Value as string; break;
                case "messaging.destination.partition.id": partition = tag.Value?.ToString(); break;
            }
        }
        if (_reading is not null && int.TryParse(partition, out var p)) _reading[new PartitionKey(group ?? "", topic ?? "", p)] = value;
    }

    private void Watch(TransportHealth health)
    {
        lock (_lock)
        {
            _watched.Add(health);
            if (!health.IsAvailable) _outages.Add(new Outage(health.Transport, health.UnavailableSince ?? _time.GetUtcNow(), null, health.Problem));
        }
        health.Changed += OnChanged;
    }

    private void OnChanged(TransportHealth health)
    {
        lock (_lock)
        {
            var open = _outages.FindLastIndex(o => o.Transport == health.Transport && o.EndedAt is null);
            if (health.IsAvailable)
            {
                if (open >= 0) _outages[open] = _outages[open] with { EndedAt = _time.GetUtcNow() };
                return;
            }
            if (open >= 0) return;
            _outages.Add(new Outage(health.Transport, health.UnavailableSince ?? _time.GetUtcNow(), null, health.Problem));
            if (_outages.Count > MaxOutages) _outages.RemoveAt(0);
        }
    }

    private static long MinuteOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 60;
}

/// <summary>One minute of this instance: messages confirmed by the broker, handler runs committed, dead letters (counts), and
/// the highest total Kafka lag sampled in it (messages).</summary>
internal sealed record MinuteCounts(DateTimeOffset Minute, long Published, long Handled, long DeadLettered, long Lag);

/// <summary>A transport's broker unreachable from <paramref name="StartedAt"/> to <paramref name="EndedAt"/> (null: ongoing).</summary>
internal sealed record Outage(string Transport, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Problem);

/// <summary>A Kafka partition of a consumer group.</summary>
internal sealed record PartitionKey(string Group, string Topic, int Partition);
