using System.Collections.Concurrent;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>What the test handlers saw (singleton per host).</summary>
public sealed class Probe
{
    public ConcurrentQueue<string> Seen { get; } = new();

    /// <summary>When true, the handler throws on its first attempt of each message (after writing its row).</summary>
    public bool FailFirstAttempt { get; set; }
}
