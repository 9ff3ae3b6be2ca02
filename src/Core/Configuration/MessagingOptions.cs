using Messaging.Handling;

namespace Messaging.Configuration;

/// <summary>
/// Core settings, bound from the configuration section <c>Messaging</c> and validated at start-up
/// (an invalid value stops the host with an error naming the key).
/// </summary>
public sealed class MessagingOptions
{
    /// <summary>The configuration section name: <c>Messaging</c>.</summary>
    public const string SectionName = "Messaging";

    /// <summary><c>Messaging:Transport</c>: the primary transport, one of <c>RabbitMq</c>, <c>Kafka</c> or <c>InMemory</c>
    /// (case-insensitive; a transport package must register it). Required, with no default: a host without it fails
    /// at start-up, so a missing <c>Messaging</c> section can never publish committed outbox rows through the in-process
    /// transport, where they would be lost. <c>InMemory</c> keeps nothing across a restart: choose it only for tests
    /// and demos.</summary>
    public string Transport { get; set; } = "";

    /// <summary><c>Messaging:ConsumeFrom</c>: the transports this endpoint consumes from, for a service that
    /// listens on both brokers (for example while migrating). Default empty: only <see cref="Transport"/>.
    /// Each value must be a registered transport name.</summary>
    public string[] ConsumeFrom { get; set; } = [];

    /// <summary>The transports consumed from: <see cref="ConsumeFrom"/>, or <see cref="Transport"/> when it is empty.</summary>
    /// <returns>Distinct transport names, case-insensitive.</returns>
    public IReadOnlyList<string> ConsumedTransports() =>
        ConsumeFrom.Length == 0 ? [Transport] : ConsumeFrom.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>True when <paramref name="transport"/> is the primary transport or one consumed from, so its
    /// settings must be valid at start-up. Transport packages use this to decide whether to validate.</summary>
    /// <param name="transport">A transport name such as <c>RabbitMq</c>.</param>
    /// <returns>Whether the transport is in use.</returns>
    public bool UsesTransport(string transport) =>
        string.Equals(Transport, transport, StringComparison.OrdinalIgnoreCase)
        || ConsumeFrom.Contains(transport, StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Messaging:Endpoint</c>: this service's queue name (RabbitMQ) and consumer group id (Kafka).
    /// Letters, digits, '.', '_' and '-', 1 to 200 characters. Default <c>messaging-app</c>.</summary>
    public string Endpoint { get; set; } = "messaging-app";

    /// <summary><c>Messaging:HandlerTimeoutMs</c>: longest time one handler attempt may run before it is
    /// cancelled and counted as failed (ms, 1..3600000). Default 30000.</summary>
    public int HandlerTimeoutMs { get; set; } = 30_000;

    /// <summary><c>Messaging:MaxBodyBytes</c>: the largest message body accepted (bytes, 1..134217728). A larger
    /// publish throws <see cref="Publishing.PublishFailure.Invalid"/> before reaching the broker; a larger
    /// received message is dead-lettered at once. Default 1048576 (1 MiB, Kafka's default
    /// <c>message.max.bytes</c> is about the same; RabbitMQ 3.10 allows up to 128 MiB).</summary>
    public int MaxBodyBytes { get; set; } = 1_048_576;

    /// <summary><c>Messaging:StartupMode</c>: <c>Degraded</c> (default: start while a broker is down, attach when it
    /// is back) or <c>FailFast</c> (fail start-up when a consumed broker cannot be reached).</summary>
    public StartupMode StartupMode { get; set; } = StartupMode.Degraded;

    /// <summary><c>Messaging:StartupWaitMs</c>: with <see cref="StartupMode.Degraded"/>, how long start-up waits for a
    /// consumed broker's first connection attempt before it goes on without it (ms, 0..600000). A broker that
    /// refuses connections is known to be down at once; this bounds a broker that does not answer. Default 10000.</summary>
    public int StartupWaitMs { get; set; } = 10_000;

    /// <summary><c>Messaging:UnhandledMessages</c>: what this endpoint does with a message it has no handler for (an unknown
    /// message type, or a type no handler here takes): <c>DeadLetter</c> (default) or <c>Skip</c> (acknowledge, count in
    /// <c>messaging.process.skipped</c>, log once per type). Unreadable or undeserializable messages are always dead-lettered.</summary>
    public UnhandledMessagePolicy UnhandledMessages { get; set; } = UnhandledMessagePolicy.DeadLetter;

    /// <summary><c>Messaging:Retry</c>: the retry policy for failing handlers.</summary>
    public RetryOptions Retry { get; set; } = new();
}
