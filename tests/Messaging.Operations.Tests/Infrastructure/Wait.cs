using System.Diagnostics;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 60_000)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.ElapsedMilliseconds > timeoutMs) throw new TimeoutException($"Timed out after {timeoutMs} ms waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
