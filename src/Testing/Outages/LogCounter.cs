using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Messaging.Outage;

/// <summary>Counts the log lines a run writes at Information and above (what an on-call person reads), and keeps
/// the Warning+ ones for the test output; counts each event id too.</summary>
public sealed class LogCounter : ILoggerProvider
{
    private long _lines;
    private readonly ConcurrentDictionary<int, long> _events = new();

    /// <summary>How many lines (Information and above) carried <paramref name="eventId"/>.</summary>
    public long Count(int eventId) => _events.TryGetValue(eventId, out var count) ? count : 0;

    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>The lines (Information and above) by event id.</summary>
    public string Summary() => string.Join(", ", _events.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"));

    public ConcurrentQueue<string> Warnings { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Reset()
    {
        Interlocked.Exchange(ref _lines, 0);
        _events.Clear();
        Warnings.Clear();
    }

    public void Dispose() { }

    private sealed class Counter(LogCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || category.StartsWith("Microsoft.", StringComparison.Ordinal)) return;
            Interlocked.Increment(ref owner._lines);
            owner._events.AddOrUpdate(eventId.Id, 1, (_, count) => count + 1);
            if (logLevel >= LogLevel.Warning) owner.Warnings.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {eventId.Id} {formatter(state, exception)}");
        }
    }
}
