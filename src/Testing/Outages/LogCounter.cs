using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Messaging.Testing.Outages;

/// <summary>A logger provider that counts the lines a host writes at Information and above (what the person on call
/// reads; categories starting with <c>Microsoft.</c> left out), per event id too, and keeps the Warning and above ones for
/// the test output. Thread-safe.</summary>
public sealed class LogCounter : ILoggerProvider
{
    private long _lines;
    private readonly ConcurrentDictionary<int, long> _events = new();

    /// <summary>How many lines (Information and above) carried <paramref name="eventId"/>.</summary>
    public long Count(int eventId) => _events.TryGetValue(eventId, out var count) ? count : 0;

    /// <summary>Lines written (Information and above) since the start or the last <see cref="Reset"/>.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>The lines (Information and above) by event id.</summary>
    public string Summary() => string.Join(", ", _events.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"));

    /// <summary>The Warning and above lines, each as "time level event-id message".</summary>
    public ConcurrentQueue<string> Warnings { get; } = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    /// <summary>Starts counting again from zero (lines, event ids and warnings).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _lines, 0);
        _events.Clear();
        Warnings.Clear();
    }

    /// <inheritdoc />
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
            if (logLevel >= LogLevel.Warning) owner.Warnings.Enqueue($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {logLevel} {eventId.Id} {formatter(state, exception)}");
        }
    }
}
