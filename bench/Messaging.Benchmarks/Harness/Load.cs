using System.Diagnostics;

namespace Messaging.Benchmarks.Harness;

/// <summary>Ways to drive a send function: one awaited at a time, or a sliding window of in-flight sends.</summary>
public static class Load
{
    /// <summary>Each send awaited before the next starts; latency = the awaited call.</summary>
    public static async Task<RunSample> OneAtATimeAsync(int messages, Func<int, Task> send, CancellationToken cancellationToken)
    {
        var latencies = new double[messages];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < messages; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t0 = Stopwatch.GetTimestamp();
            await send(i);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return new RunSample(messages, Stopwatch.GetElapsedTime(started), latencies);
    }

    /// <summary>
    /// Up to <paramref name="window"/> sends in flight, started in order; a new one starts when one completes.
    /// Latency = from the start of a send to its completion (confirm).
    /// </summary>
    public static async Task<RunSample> WindowedAsync(int messages, int window, Func<int, Task> send, CancellationToken cancellationToken)
    {
        var latencies = new double[messages];
        using var slots = new SemaphoreSlim(window, window);
        Exception? failure = null;
        var started = Stopwatch.GetTimestamp();

        async Task One(int i, long t0)
        {
            try
            {
                await send(i);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
            finally
            {
                slots.Release();
            }
        }

        for (var i = 0; i < messages; i++)
        {
            await slots.WaitAsync(cancellationToken);
            if (failure is not null) break;
            _ = One(i, Stopwatch.GetTimestamp());
        }
        for (var i = 0; i < window; i++) await slots.WaitAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (failure is not null) throw new InvalidOperationException("a send failed: " + failure.Message, failure);
        return new RunSample(messages, elapsed, latencies);
    }

    /// <summary>Batches of <paramref name="batch"/> sends, each batch awaited; latency = the batch's round trip, once per message.</summary>
    public static async Task<RunSample> BatchesAsync(int messages, int batch, Func<int, int, Task> sendBatch, CancellationToken cancellationToken)
    {
        var latencies = new double[messages];
        var started = Stopwatch.GetTimestamp();
        for (var first = 0; first < messages; first += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batch, messages - first);
            var t0 = Stopwatch.GetTimestamp();
            await sendBatch(first, count);
            var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            Array.Fill(latencies, ms, first, count);
        }
        return new RunSample(messages, Stopwatch.GetElapsedTime(started), latencies);
    }
}
