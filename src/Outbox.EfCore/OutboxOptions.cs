namespace Messaging.Outbox;

/// <summary>
/// Dispatcher settings, bound from the configuration section <c>Messaging:Outbox</c> and validated at start-up
/// (an invalid value stops the host with an error naming the key, for example <c>Messaging:Outbox:BatchSize</c>).
/// </summary>
public sealed class OutboxOptions
{
    /// <summary>The configuration section name: <c>Messaging:Outbox</c>.</summary>
    public const string SectionName = "Messaging:Outbox";

    /// <summary><c>Messaging:Outbox:BatchSize</c>: most pending rows read and published per round (count,
    /// 1..10000). Default 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary><c>Messaging:Outbox:PollIntervalMs</c>: how long the dispatcher waits for new rows when the outbox
    /// is empty (ms, 1..3600000). A commit through the same process wakes it sooner. Default 100.</summary>
    public int PollIntervalMs { get; set; } = 100;

    /// <summary><c>Messaging:Outbox:MaxAttempts</c>: unconfirmed dispatches after which a row is marked
    /// <see cref="OutboxStatus.Failed"/> and no longer sent (count, 1..1000). Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary><c>Messaging:Outbox:MaxBackoffMs</c>: longest wait after a failed round (broker or database
    /// error, or unconfirmed rows); waits start at <see cref="PollIntervalMs"/> and double (ms, 1..3600000).
    /// Default 5000.</summary>
    public int MaxBackoffMs { get; set; } = 5_000;
}
