using System.Collections.Concurrent;
using Messaging.Handling;

namespace Messaging.Compliance;

public sealed record ComplianceMessage(string Key, int Sequence);

/// <summary>Records every call; throws while <see cref="HandlerProbe.AlwaysFail"/> is set and on the first
/// <see cref="HandlerProbe.FailFirstCalls"/> calls.</summary>
public sealed class RecordingHandler(HandlerProbe probe) : IMessageHandler<ComplianceMessage>
{
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue((message, context));
        var call = Interlocked.Increment(ref probe.CallCount);
        if (probe.AlwaysFail || call <= probe.FailFirstCalls) throw new InvalidOperationException($"handler refuses sequence {message.Sequence}");
        return Task.CompletedTask;
    }
}

public sealed class HandlerProbe
{
    private volatile bool _alwaysFail;

    /// <summary>Calls so far (<see cref="RecordingHandler"/> counts them).</summary>
    internal int CallCount;

    public ConcurrentQueue<(ComplianceMessage Message, MessageContext Context)> Calls { get; } = new();

    /// <summary>Every call throws.</summary>
    public bool AlwaysFail { get => _alwaysFail; set => _alwaysFail = value; }

    /// <summary>The first N calls throw, the ones after succeed: a handler that recovers after a known number of
    /// attempts, with no flag for the test to flip in time.</summary>
    public int FailFirstCalls { get; init; }
}
