namespace Messaging.FaultHarness;

/// <summary>
/// The longest stall of a run: the longest time in which nothing was applied while work items were waiting (created,
/// not yet applied). Unlike the largest end-to-end delay it does not grow with the backlog the producer built up, so it
/// is the outage as the consumer's side saw it.
/// </summary>
internal static class Stalls
{
    /// <param name="created">When each work item was created.</param>
    /// <param name="firstApplied">When each work item was first applied.</param>
    /// <returns>The longest stall in ms, counting the wait for the first application; 0 when nothing was applied.</returns>
    public static long LongestMs(IEnumerable<DateTime> created, IEnumerable<DateTime> firstApplied)
    {
        var made = created.Order().ToArray();
        var applied = firstApplied.Order().ToArray();
        if (made.Length == 0 || applied.Length == 0) return 0;
        var longest = applied[0] - made[0]; // nothing applied yet while the first item waited
        var madeSoFar = 0;
        for (var i = 0; i + 1 < applied.Length; i++)
        {
            while (madeSoFar < made.Length && made[madeSoFar] <= applied[i]) madeSoFar++;
            var waiting = madeSoFar > i + 1 || (madeSoFar < made.Length && made[madeSoFar] < applied[i + 1]);
            if (waiting && applied[i + 1] - applied[i] > longest) longest = applied[i + 1] - applied[i];
        }
        return (long)longest.TotalMilliseconds;
    }
}
