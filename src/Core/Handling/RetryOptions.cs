namespace Messaging.Handling;

/// <summary>
/// Retry policy for failing handlers (configuration section <c>Messaging:Retry</c>): up to
/// <see cref="MaxAttempts"/> immediate attempts in process with exponential backoff between them; then,
/// for each entry of <see cref="DelayedRetryDelaysMs"/>, the transport delivers the message again after
/// that delay (and the immediate attempts run again); then dead-letter.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Total handler attempts before dead-lettering (count, 1..100). Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry (ms, 0..600000). Default 100.</summary>
    public int InitialDelayMs { get; set; } = 100;

    /// <summary>Longest delay between attempts (ms, 0..3600000). Default 5000.</summary>
    public int MaxDelayMs { get; set; } = 5_000;

    /// <summary>Delayed retries after the immediate attempts are used up: one entry per retry, each the delay
    /// before it (ms, 1..86400000). The message leaves the consumer meanwhile (RabbitMQ retry queue with a TTL)
    /// or its partition waits (Kafka, keeping order). Default empty: no delayed retries.</summary>
    public int[] DelayedRetryDelaysMs { get; set; } = [];

    /// <summary>Poison detection: a message the broker delivered more than this many times without an
    /// acknowledgement (a consumer crashed while handling it; RabbitMQ quorum <c>x-delivery-count</c>) is
    /// dead-lettered at once without running the handler (count, 1..1000). Default 10.</summary>
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>The delay before attempt <paramref name="attempt"/> (2 or more): initial × 2^(attempt-2), capped.</summary>
    /// <param name="attempt">The attempt about to run.</param>
    /// <returns>The delay.</returns>
    public TimeSpan DelayBefore(int attempt)
    {
        var ms = InitialDelayMs * Math.Pow(2, Math.Max(0, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelayMs));
    }
}
