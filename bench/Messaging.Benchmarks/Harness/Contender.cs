namespace Messaging.Benchmarks.Harness;

/// <summary>What one timed run measured. Latencies in ms, one per message (or per batch, see the scenario note); null when not meaningful.</summary>
public sealed record RunSample(int Messages, TimeSpan Elapsed, double[]? LatenciesMs)
{
    /// <summary>Other figures of the run (for example the calibrated maximum rate), reported as medians.</summary>
    public IReadOnlyDictionary<string, double>? Extra { get; init; }

    /// <summary>Bytes allocated in the timed part, when the contender counts them itself (a peer process); else the runner counts.</summary>
    public long? AllocatedBytes { get; init; }

    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;
}

/// <summary>
/// One side of a scenario (ours, raw, MassTransit or Wolverine). The runner calls <see cref="SetupAsync"/> once, then per run
/// <see cref="BeforeRunAsync"/> (untimed: purge, preload), <see cref="RunAsync"/> (timed, allocations counted) and
/// <see cref="AfterRunAsync"/> (untimed: stop consumers), and finally <see cref="DisposeAsync"/>.
/// </summary>
public abstract class Contender(string role) : IAsyncDisposable
{
    public const string Ours = "ours";
    public const string Raw = "raw";
    public const string MassTransit = "massTransit";
    public const string Wolverine = "wolverine";

    public string Role { get; } = role;

    public virtual Task SetupAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task BeforeRunAsync(int messages, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<RunSample> RunAsync(int messages, CancellationToken cancellationToken);

    public virtual Task AfterRunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
