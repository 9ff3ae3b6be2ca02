using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Tests;

/// <summary>Counts log events by EventId (3003 assigned, 3004 revoked, 3005 lost, 3017 paused/resumed) and keeps their text.</summary>
internal sealed class EventLog : ILoggerProvider, ILogger
{
    public ConcurrentQueue<(int Id, string Text)> Events { get; } = new();

    public int Count(int eventId) => Events.Count(e => e.Id == eventId);

    public int Count(int eventId, string contains) => Events.Count(e => e.Id == eventId && e.Text.Contains(contains, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id is >= 3000 and < 4000) Events.Enqueue((eventId.Id, formatter(state, exception)));
    }

    public void Dispose() { }
}
