using System.Collections.Concurrent;
using System.Diagnostics;
using Messaging.Transport;

namespace Messaging.Benchmarks.Harness;

/// <summary>
/// Wraps the transport the outbox dispatcher publishes through (a decorator in DI, no change to the library) and
/// notes when each message was confirmed: SendBatchAsync returned. Paired with the commit time of its row gives the
/// commit-to-confirm latency.
/// </summary>
public sealed class ConfirmClock(IMessageTransport inner) : IMessageTransport
{
    private readonly ConcurrentDictionary<string, long> _commits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _confirms = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<double> _latencies = new();
    private int _confirmed;

    public int Confirmed => Volatile.Read(ref _confirmed);

    public double[] Latencies => _latencies.ToArray();

    public void Reset()
    {
        _commits.Clear();
        _confirms.Clear();
        _latencies.Clear();
        Volatile.Write(ref _confirmed, 0);
    }

    /// <summary>The row of <paramref name="messageId"/> was committed now.</summary>
    public void Committed(string messageId)
    {
        var now = Stopwatch.GetTimestamp();
        if (_confirms.TryRemove(messageId, out var confirmed)) _latencies.Enqueue(Stopwatch.GetElapsedTime(now, confirmed).TotalMilliseconds);
        else _commits[messageId] = now;
    }

    public string Name => inner.Name;
    public TransportCapabilities Capabilities => inner.Capabilities;
    public TransportHealth Health => inner.Health;
    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) => inner.PrepareAsync(endpoints, cancellationToken);

    public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        await inner.SendAsync(envelope, cancellationToken);
        Confirm(envelope.MessageId, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _confirmed);
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        await inner.SendBatchAsync(envelopes, cancellationToken);
        var now = Stopwatch.GetTimestamp();
        foreach (var envelope in envelopes) Confirm(envelope.MessageId, now);
        Interlocked.Add(ref _confirmed, envelopes.Count);
    }

    private void Confirm(string messageId, long now)
    {
        if (_commits.TryRemove(messageId, out var committed)) _latencies.Enqueue(Stopwatch.GetElapsedTime(committed, now).TotalMilliseconds);
        else _confirms[messageId] = now;
    }

    public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken) =>
        inner.ReceiveAsync(endpoint, processor, stoppingToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
