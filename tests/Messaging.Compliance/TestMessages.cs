using System.Collections.Concurrent;
using Messaging.Handling;

namespace Messaging.Compliance;

public sealed record ComplianceMessage(string Key, int Sequence);

/// <summary>Records every call; throws while <see cref="FailuresLeft"/> is positive.</summary>
public sealed class RecordingHandler(HandlerProbe probe) : IMessageHandler<ComplianceMessage>
{
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue((message, context));
        if (probe.AlwaysFail) throw new InvalidOperationException($"handler refuses sequence {message.Sequence}");
        return Task.CompletedTask;
    }
}

public sealed class HandlerProbe
{
    public ConcurrentQueue<(ComplianceMessage Message, MessageContext Context)> Calls { get; } = new();
    public bool AlwaysFail { get; set; }
}
