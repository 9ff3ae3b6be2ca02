namespace Messaging.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time. Deadlines run on the real clock
/// (<see cref="TimeProvider.System"/>) whatever clock the host under test uses: a test's fake clock must not stop them.</summary>
public static class Eventually
{
    private static readonly TimeProvider Wall = TimeProvider.System;

    /// <summary>Checks <paramref name="condition"/> every 20 ms until it holds.</summary>
    /// <param name="condition">What the test waits for; called on the caller's flow.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="what">Names the condition in the exception, e.g. "200 messages".</param>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>.</exception>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var started = Wall.GetTimestamp();
        while (!condition())
        {
            if (Wall.GetElapsedTime(started) > timeout) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(20), Wall);
        }
    }

    /// <summary>For a condition that asks a database or a broker: checked every 100 ms until it holds.</summary>
    /// <param name="condition">What the test waits for.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="what">Names the condition in the exception.</param>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>.</exception>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var started = Wall.GetTimestamp();
        while (!await condition())
        {
            if (Wall.GetElapsedTime(started) > timeout) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), Wall);
        }
    }

    /// <summary>The task's result, or an exception after <paramref name="timeout"/> (the task goes on running).</summary>
    /// <param name="task">The awaited work.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="what">Names the awaited result in the exception.</param>
    /// <exception cref="TimeoutException">The task did not complete within <paramref name="timeout"/>.</exception>
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        var done = await Task.WhenAny(task, Task.Delay(timeout, Wall));
        if (done != task) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
        return await task;
    }
}
