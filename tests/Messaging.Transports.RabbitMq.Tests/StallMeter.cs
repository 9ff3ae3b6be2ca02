using System.Diagnostics;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// How long this process could not run a continuation that was due: a loop wakes every 50 ms through a timer and the
/// thread pool, the path a publish's timeout takes too, and keeps the longest delay beyond that. On a loaded machine
/// (2 cores shared with other builds) it can be seconds; a bound on how long something took must allow for it.
/// </summary>
internal sealed class StallMeter : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _longestTicks;

    private StallMeter() => _loop = Task.Run(LoopAsync);

    public static StallMeter Start() => new();

    /// <summary>The longest delay beyond the due time seen so far.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try { await Task.Delay(Tick, _stop.Token); }
            catch (OperationCanceledException) { return; }
            var late = (Stopwatch.GetElapsedTime(started) - Tick).Ticks;
            for (var current = Interlocked.Read(ref _longestTicks); late > current; current = Interlocked.Read(ref _longestTicks))
                if (Interlocked.CompareExchange(ref _longestTicks, late, current) == current) break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
