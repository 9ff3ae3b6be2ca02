using System.ComponentModel.DataAnnotations;

namespace Messaging.Handling;

/// <summary>
/// Retry policy for failing handlers (configuration section <c>Messaging:Retry</c>): up to
/// <see cref="MaxAttempts"/> attempts with exponential backoff between them, then dead-letter.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Total handler attempts before dead-lettering (count, 1..100). Default 3.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry (ms, 0..600000). Default 100.</summary>
    [Range(0, 600_000)]
    public int InitialDelayMs { get; set; } = 100;

    /// <summary>Longest delay between attempts (ms, 0..3600000). Default 5000.</summary>
    [Range(0, 3_600_000)]
    public int MaxDelayMs { get; set; } = 5_000;

    /// <summary>The delay before attempt <paramref name="attempt"/> (2 or more): initial × 2^(attempt-2), capped.</summary>
    /// <param name="attempt">The attempt about to run.</param>
    /// <returns>The delay.</returns>
    public TimeSpan DelayBefore(int attempt)
    {
        var ms = InitialDelayMs * Math.Pow(2, Math.Max(0, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelayMs));
    }
}
