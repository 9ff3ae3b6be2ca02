using System.Diagnostics;

namespace Messaging.Benchmarks.Harness;

/// <summary>
/// Runs scenarios: every contender set up once, one warm-up run each, then <c>runs</c> rounds in which the contenders
/// take turns (ours, raw, MassTransit, ours, ...), so drift of the machine or broker hits all of them alike. Every figure
/// is the median of the runs, reported with their min–max. A latency scenario (<see cref="Scenario.Rates"/>) runs every
/// offered rate in each round, the contenders taking turns at each rate, and reports one row per rate.
/// </summary>
public sealed class Runner(BenchSettings settings, TextWriter log, AllocationProfiler? profiler = null)
{
    private readonly List<ScenarioResult> _results = [];

    /// <summary>Runs a scenario: one result, or one per offered rate for a latency scenario (<see cref="Scenario.Rates"/>).</summary>
    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var messages = settings.MessagesFor(scenario);
        log.WriteLine($"== {scenario.Name}: {settings.Runs} run(s) x {messages} {(scenario.Rates is null ? "messages" : "ms of offering per rate")}");
        var errors = new List<string>();
        var contenders = new List<Contender>();
        foreach (var contender in scenario.Contenders())
        {
            try
            {
                using var setupTimeout = Timeout(cancellationToken, TimeSpan.FromSeconds(90));
                await contender.SetupAsync(setupTimeout.Token);
                contenders.Add(contender);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{contender.Role}: setup failed: {Describe(ex)}");
                log.WriteLine($"   {contender.Role}: setup failed: {Describe(ex)}");
                await DisposeQuietly(contender);
            }
        }

        // Closed loop: one step without a rate. Latency scenarios: one step per offered rate.
        IReadOnlyList<OfferedRate?> steps = [null];
        var samples = new Dictionary<(int Step, string Role), List<(RunSample Sample, long Allocated)>>();
        try
        {
            if (scenario.Rates is { } rates) steps = await ResolveRatesAsync(rates, contenders, messages, errors, cancellationToken);
            var warmup = Math.Max(1, Math.Min(messages, settings.Smoke ? messages : Math.Max(messages / 10, 200)));
            for (var round = settings.Smoke ? 1 : 0; round <= settings.Runs; round++)
            {
                for (var step = 0; step < steps.Count; step++)
                {
                    foreach (var contender in contenders.ToList())
                    {
                        var count = round == 0 ? warmup : messages;
                        var rate = steps[step];
                        var label = contender.Role + (rate is null ? "" : " @" + rate.Label);
                        try
                        {
                            var (sample, allocated) = rate is null
                                ? await MeasureAsync(contender, count, contender.RunAsync, cancellationToken)
                                : await MeasureAsync(contender, rate.Orders(count), (n, ct) => OpenLoop(contender).RunOfferedAsync(n, rate.PerSecond, ct), cancellationToken);
                            if (round == 0)
                            {
                                log.WriteLine($"   {label,-20} warm-up {sample.MessagesPerSecond,10:N0} msgs/s");
                                continue;
                            }
                            if (!samples.TryGetValue((step, contender.Role), out var list)) samples[(step, contender.Role)] = list = [];
                            list.Add((sample, allocated));
                            log.WriteLine($"   {label,-20} run {round}  {sample.MessagesPerSecond,10:N0} msgs/s  {(double)(sample.AllocatedBytes ?? allocated) / sample.Messages,8:N0} B/msg"
                                + (sample.LatenciesMs is { Length: > 0 } l ? LatencyText(l.Order().ToArray()) : ""));
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                        {
                            errors.Add($"{label}: run {round} failed: {Describe(ex)}");
                            log.WriteLine($"   {label}: run {round} failed: {Describe(ex)}");
                            contenders.Remove(contender);
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var contender in contenders) await DisposeQuietly(contender);
        }

        var results = new List<ScenarioResult>();
        for (var step = 0; step < steps.Count; step++)
        {
            // A contender that failed has no figures at all, as before rates existed: a partial side would mislead.
            var sides = samples.Where(s => s.Key.Step == step && contenders.Any(c => c.Role == s.Key.Role))
                .ToDictionary(s => s.Key.Role, s => Summarize(s.Value));
            var perRun = steps[step] is { } rate ? rate.Orders(messages) : messages;
            results.Add(ScenarioResult.From(scenario, perRun, settings.Runs, sides, errors, evaluateTarget: !settings.Smoke, steps[step]));
        }
        // No rate could be resolved: still one row, carrying the error.
        if (results.Count == 0) results.Add(ScenarioResult.From(scenario, messages, settings.Runs, new Dictionary<string, SideResult>(), errors, evaluateTarget: false));
        _results.AddRange(results);
        return results;
    }

    private static IOpenLoopContender OpenLoop(Contender contender) => contender as IOpenLoopContender
        ?? throw new InvalidOperationException($"{contender.Role} cannot be driven at an offered rate");

    /// <summary>The scenario's rates; on failure the scenario reports the error and runs no step.</summary>
    private async Task<IReadOnlyList<OfferedRate?>> ResolveRatesAsync(Func<RateContext, CancellationToken, Task<IReadOnlyList<OfferedRate>>> rates,
        List<Contender> contenders, int messages, List<string> errors, CancellationToken cancellationToken)
    {
        var context = new RateContext(contenders, _results, messages, async (contender, count, ct) => (await MeasureAsync(contender, count, contender.RunAsync, ct)).Sample);
        try
        {
            var resolved = await rates(context, cancellationToken);
            log.WriteLine($"   offered rates: {string.Join(", ", resolved.Select(r => r.Label + (r.Basis is null ? "" : $" ({r.Basis})")))}");
            return resolved;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors.Add($"offered rates: {Describe(ex)}");
            log.WriteLine($"   offered rates failed: {Describe(ex)}");
            return [];
        }
    }

    private async Task<(RunSample Sample, long Allocated)> MeasureAsync(Contender contender, int messages, Func<int, CancellationToken, Task<RunSample>> run, CancellationToken cancellationToken)
    {
        // A safety net, not a limit: generous enough for the e2e rounds (one transaction per message) on a loaded machine.
        using var timeout = Timeout(cancellationToken, TimeSpan.FromSeconds(120) + TimeSpan.FromMilliseconds(messages * 20.0));
        await contender.BeforeRunAsync(messages, timeout.Token);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        RunSample sample;
        try
        {
            profiler?.Start();
            sample = await run(messages, timeout.Token);
            if (profiler is not null)
            {
                var top = profiler.Stop();
                var total = Math.Max(1, top.Sum(t => t.Bytes));
                log.WriteLine($"   {contender.Role} allocation sample (types crossing the 100 KB tick; share of sampled bytes):");
                foreach (var (type, bytes) in top.Take(12)) log.WriteLine($"      {100.0 * bytes / total,5:0.0}%  {type}");
            }
        }
        finally
        {
            // always stop consumers and hosts, also after a failed run
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            await contender.AfterRunAsync(CancellationToken.None);
            _lastAllocated = allocated;
        }
        return (sample, _lastAllocated);
    }

    private long _lastAllocated;

    private static string LatencyText(double[] sorted) =>
        $"  p50 {Stats.Percentile(sorted, 50):N2} ms  p99 {Stats.Percentile(sorted, 99):N2} ms  p99.9 {Stats.Percentile(sorted, 99.9):N2} ms";

    private static SideResult Summarize(List<(RunSample Sample, long Allocated)> runs)
    {
        var rates = runs.Select(r => r.Sample.MessagesPerSecond).ToList();
        // Latency per run first, then the median over the runs, like the rate (and with its spread).
        var sorted = runs.Where(r => r.Sample.LatenciesMs is { Length: > 0 }).Select(r => r.Sample.LatenciesMs!.Order().ToArray()).ToList();
        var p50s = sorted.Select(l => Stats.Percentile(l, 50)).ToList();
        var p99s = sorted.Select(l => Stats.Percentile(l, 99)).ToList();
        var p999s = sorted.Select(l => Stats.Percentile(l, 99.9)).ToList();
        var alloc = Stats.Median(runs.Select(r => (double)(r.Sample.AllocatedBytes ?? r.Allocated) / r.Sample.Messages).ToList());
        return new SideResult(Stats.Median(rates),
            p50s.Count > 0 ? Stats.Median(p50s) : null,
            p99s.Count > 0 ? Stats.Median(p99s) : null,
            alloc, rates, Extras(runs.Select(r => r.Sample.Extra)))
        {
            RateSpread = Spread.Of(rates),
            P50Spread = Spread.Of(p50s),
            P99Spread = Spread.Of(p99s),
            P999Ms = p999s.Count > 0 ? Stats.Median(p999s) : null,
            P999Spread = Spread.Of(p999s),
        };
    }

    private static Dictionary<string, double>? Extras(IEnumerable<IReadOnlyDictionary<string, double>?> extras)
    {
        var all = extras.Where(e => e is not null).SelectMany(e => e!).GroupBy(e => e.Key).ToList();
        return all.Count == 0 ? null : all.ToDictionary(g => g.Key, g => Math.Round(Stats.Median(g.Select(e => e.Value).ToList()), 3));
    }

    private static CancellationTokenSource Timeout(CancellationToken outer, TimeSpan after)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        cts.CancelAfter(after);
        return cts;
    }

    private static async Task DisposeQuietly(Contender contender)
    {
        try
        {
            await contender.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // a broken contender must not stop the others
        }
    }

    public static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        if (ex.InnerException is { } inner) text += $" <- {inner.GetType().Name}: {inner.Message}";
        return text.Length > 400 ? text[..400] : text;
    }
}

/// <summary>Command-line settings.</summary>
public sealed record BenchSettings(int Runs, int Messages, bool Smoke)
{
    public int MessagesFor(Scenario scenario) =>
        Smoke ? Math.Max(20, (int)(Messages * scenario.Scale)) : Math.Max(50, (int)(Messages * scenario.Scale));
}

/// <summary>Counts handled messages and times the first and last; completes when the expected count is reached.</summary>
public sealed class Probe
{
    private int _count;
    private int _expected = int.MaxValue;
    private long _first;
    private long _last;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => Volatile.Read(ref _count);

    public void Reset(int expected)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _first = 0;
        _last = 0;
        Volatile.Write(ref _expected, expected);
        Volatile.Write(ref _count, 0);
    }

    public void Hit()
    {
        var now = Stopwatch.GetTimestamp();
        var n = Interlocked.Increment(ref _count);
        if (n == 1) _first = now;
        if (n == Volatile.Read(ref _expected))
        {
            _last = now;
            _done.TrySetResult();
        }
    }

    /// <summary>Waits for the expected count; the sample spans first to last message (consumer start-up excluded).</summary>
    public async Task<RunSample> WaitAsync(int messages, CancellationToken cancellationToken)
    {
        await _done.Task.WaitAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(_first, _last);
        // n-1 intervals between the first and the last message
        return new RunSample(messages, elapsed * messages / Math.Max(1, messages - 1), null);
    }
}
