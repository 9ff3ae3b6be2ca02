using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Messaging.ForeignClients;

/// <summary>Keeps the text of Warning-and-worse log events by EventId, for tests that assert a warning was logged.</summary>
public sealed class WireLog : ILoggerProvider, ILogger
{
    public ConcurrentQueue<(int Id, string Text)> Events { get; } = new();

    public IEnumerable<string> Texts(int eventId) => Events.Where(e => e.Id == eventId).Select(e => e.Text);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) Events.Enqueue((eventId.Id, formatter(state, exception)));
    }

    public void Dispose() { }
}
