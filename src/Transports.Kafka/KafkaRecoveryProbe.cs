using Confluent.Kafka;
using Messaging.Transport;

namespace Messaging.Kafka;

/// <summary>
/// While the transport's health says every broker is down, asks the cluster for metadata over the producer's own
/// connections (backoff with jitter, 1 s to 10 s) and marks the transport available as soon as a broker answers.
/// librdkafka reconnects by itself but reports no "brokers are back" event, and a consumer-only or idle service
/// would otherwise wait for its next record to find out. The probe borrows the producer's librdkafka handle, so
/// <see cref="DisposeAsync"/> waits for a probe in flight before the producer may be disposed.
/// </summary>
internal sealed class KafkaRecoveryProbe : IAsyncDisposable
{
    private static readonly TimeSpan FirstProbe = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxProbe = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);
    private readonly TransportHealth _health;
    private readonly Handle _producer;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private int _running;
    private int _disposed;
    private Task _probe = Task.CompletedTask;

    public KafkaRecoveryProbe(TransportHealth health, Handle producer, TimeProvider time)
    {
        _health = health;
        _producer = producer;
        _time = time;
        health.Changed += OnChanged;
    }

    private void OnChanged(TransportHealth health)
    {
        if (health.IsAvailable || _stop.IsCancellationRequested || Interlocked.Exchange(ref _running, 1) == 1) return;
        Volatile.Write(ref _probe, Task.Run(ProbeAsync));
    }

    private async Task ProbeAsync()
    {
        try
        {
            for (var attempt = 1; !_health.IsAvailable; attempt++)
            {
                if (!await Backoff.WaitAsync(attempt, FirstProbe, MaxProbe, _time, _stop.Token).ConfigureAwait(false)) return;
                if (BrokerAnswers()) _health.ReportAvailable();
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
            if (!_health.IsAvailable && !_stop.IsCancellationRequested) OnChanged(_health); // went down again meanwhile
        }
    }

    private bool BrokerAnswers()
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(_producer).Build();
            return admin.GetMetadata(MetadataTimeout).Brokers.Count > 0;
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    /// <summary>Stops the probe and waits (at most the metadata timeout, 5 s, and 1 s more) for one in flight: its
    /// metadata request runs on the producer's handle, which must not be destroyed under it. Safe to call again (a
    /// transport disposed by its owner and by the container).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _health.Changed -= OnChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Volatile.Read(ref _probe).WaitAsync(MetadataTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // librdkafka did not return from the metadata request in time; nothing more can be done here
        }
    }
}
