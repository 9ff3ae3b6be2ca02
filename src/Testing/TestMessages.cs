using System.Collections.Concurrent;
using Messaging.Handling;

namespace Messaging.Testing;

/// <summary>The suite's message, serialized as JSON.</summary>
/// <param name="Key">The partition key where a test maps one (<c>m =&gt; m.Key</c>).</param>
/// <param name="Sequence">A number the test chooses; <see cref="RecordingHandler"/> names it in its exception.</param>
public sealed record ComplianceMessage(string Key, int Sequence);

/// <summary>Records every call; throws while <see cref="HandlerProbe.AlwaysFail"/> is set and on the first
/// <see cref="HandlerProbe.FailFirstCalls"/> calls.</summary>
public sealed class RecordingHandler(HandlerProbe probe) : IMessageHandler<ComplianceMessage>
{
    /// <summary>Records the call, then throws when the probe says so.</summary>
    /// <exception cref="InvalidOperationException">"handler refuses sequence N", while <see cref="HandlerProbe.AlwaysFail"/> is
    /// set or within the first <see cref="HandlerProbe.FailFirstCalls"/> calls.</exception>
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue((message, context));
        var call = Interlocked.Increment(ref probe.CallCount);
        if (probe.AlwaysFail || call <= probe.FailFirstCalls) throw new InvalidOperationException($"handler refuses sequence {message.Sequence}");
        return Task.CompletedTask;
    }
}

/// <summary>What <see cref="RecordingHandler"/> records and how it behaves; register it as a singleton.</summary>
public sealed class HandlerProbe
{
    private volatile bool _alwaysFail;

    /// <summary>Calls so far (<see cref="RecordingHandler"/> counts them).</summary>
    internal int CallCount;

    /// <summary>Every call in order, with its context (attempt, envelope).</summary>
    public ConcurrentQueue<(ComplianceMessage Message, MessageContext Context)> Calls { get; } = new();

    /// <summary>Every call throws.</summary>
    public bool AlwaysFail { get => _alwaysFail; set => _alwaysFail = value; }

    /// <summary>The first N calls throw, the ones after succeed: a handler that recovers after a known number of
    /// attempts, with no flag for the test to flip in time.</summary>
    public int FailFirstCalls { get; init; }
}
