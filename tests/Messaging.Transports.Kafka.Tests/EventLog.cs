using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Tests;

/// <summary>Counts log events by EventId (3003 assigned, 3004 revoked, 3005 lost, 3017 paused/resumed; at Debug
/// 3015 librdkafka's log lines and 3023 broker connection failures) and keeps their text; from <paramref name="minimum"/> up (Information unless a test asks for Debug).</summary>
internal sealed class EventLog(LogLevel minimum = LogLevel.Information) : ILoggerProvider, ILogger
{
    public LogLevel Minimum => minimum;

    public ConcurrentQueue<(int Id, string Text)> Events { get; } = new();

    public int Count(int eventId) => Events.Count(e => e.Id == eventId);

    public int Count(int eventId, string contains) => Events.Count(e => e.Id == eventId && e.Text.Contains(contains, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel) && eventId.Id is >= 3000 and < 4000) Events.Enqueue((eventId.Id, formatter(state, exception)));
    }

    public void Dispose() { }
}
