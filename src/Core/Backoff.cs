namespace Messaging;

/// <summary>
/// The one backoff rule for loops outside the handler pipeline (reconnecting, re-declaring, probing a broker that
/// was down, retrying a dead-letter publish, a failed dispatcher round): exponential from an initial delay up to a
/// cap, each delay spread by ±20 % jitter so that many instances recovering together do not knock in step.
/// </summary>
public static class Backoff
{
    private const double Jitter = 0.2;

    /// <summary>The delay before retry number <paramref name="attempt"/> (1 for the first retry):
    /// <paramref name="initial"/> × 2^(attempt-1), at most <paramref name="max"/>, then ±20 % jitter.</summary>
    /// <param name="attempt">The retry number, 1 for the first (values below 1 count as 1).</param>
    /// <param name="initial">The first delay.</param>
    /// <param name="max">The cap before jitter.</param>
    /// <returns>The delay, between 0.8 and 1.2 × the capped value.</returns>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var ms = initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        ms = Math.Min(ms, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (1 - Jitter + (2 * Jitter * Random.Shared.NextDouble())));
    }

    /// <summary>Waits <see cref="Delay"/>; false when <paramref name="cancellationToken"/> ended the wait.</summary>
    /// <param name="attempt">The retry number, 1 for the first.</param>
    /// <param name="initial">The first delay.</param>
    /// <param name="max">The cap before jitter.</param>
    /// <param name="time">The clock the wait runs on.</param>
    /// <param name="cancellationToken">Ends the wait early.</param>
    /// <returns>True when the delay passed; false when cancelled.</returns>
    public static async Task<bool> WaitAsync(int attempt, TimeSpan initial, TimeSpan max, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Delay(attempt, initial, max), time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
