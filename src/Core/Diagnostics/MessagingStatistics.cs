namespace Messaging.Diagnostics;

/// <summary>
/// Process-wide counts since start, for reports and health checks. The same events are emitted as
/// metrics (see <see cref="TelemetryNames"/>). Thread-safe; registered as a singleton.
/// </summary>
public sealed class MessagingStatistics
{
    private long _published;
    private long _handled;
    private long _duplicatesSkipped;
    private long _deadLettered;
    private long _retries;
    private long _delayedRetries;

    /// <summary>Messages confirmed by the broker (count).</summary>
    public long Published => Interlocked.Read(ref _published);
    /// <summary>Handler executions that completed and committed (count, one per message and handler).</summary>
    public long Handled => Interlocked.Read(ref _handled);
    /// <summary>Handler executions skipped because the inbox had already recorded the message (count).</summary>
    public long DuplicatesSkipped => Interlocked.Read(ref _duplicatesSkipped);
    /// <summary>Messages sent to a dead-letter destination (count).</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    /// <summary>Handler attempts that failed and were retried (count).</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Messages handed back to the transport for a delayed retry (count).</summary>
    public long DelayedRetries => Interlocked.Read(ref _delayedRetries);

    internal void RecordPublished(string system, string destination, int count)
    {
        CountPublished(count);
        MessagingTelemetry.Sent.Add(count,
            new(TelemetryNames.System, system.ToLowerInvariant()), new(TelemetryNames.DestinationName, destination));
    }

    /// <summary>Counts confirmed publishes whose metrics the outgoing step records itself (with their duration).</summary>
    internal void CountPublished(int count) => Interlocked.Add(ref _published, count);

    internal void RecordHandled() => Interlocked.Increment(ref _handled);
    internal void RecordDuplicate() => Interlocked.Increment(ref _duplicatesSkipped);
    internal void RecordDeadLettered() => Interlocked.Increment(ref _deadLettered);
    internal void RecordRetry() => Interlocked.Increment(ref _retries);
    internal void RecordDelayedRetry() => Interlocked.Increment(ref _delayedRetries);

    /// <summary>Adds confirmed publishes made outside <see cref="Publishing.IMessagePublisher"/> (the outbox dispatcher).</summary>
    /// <param name="system">Transport name.</param>
    /// <param name="destination">Topic or exchange.</param>
    /// <param name="count">Messages confirmed.</param>
    public void AddPublished(string system, string destination, int count) => RecordPublished(system, destination, count);
}
