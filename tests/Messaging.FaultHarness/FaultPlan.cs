namespace Messaging.FaultHarness;

/// <summary>
/// The faults a run promises to inject. With <c>rounds</c> above 0: the long outage (when asked for) first, then that many
/// rounds of every fault kind that applies, in turn; no more, and the run does not end before all of them were injected.
/// With 0: a fault every interval until everything is applied, and still each kind (and the long outage) owed once. A run
/// that injected less than it planned fails.
/// </summary>
internal sealed class FaultPlan
{
    private readonly IReadOnlyList<string> _kinds;
    private readonly string? _longOutage;
    private readonly Queue<string>? _sequence;
    private readonly Dictionary<string, int> _injected = [];
    private int _turn;

    public FaultPlan(IReadOnlyList<string> kinds, string? longOutage, int rounds)
    {
        _kinds = kinds;
        _longOutage = longOutage;
        var planned = kinds.ToDictionary(k => k, _ => Math.Max(rounds, 1));
        if (longOutage is not null) planned[longOutage] = 1;
        Planned = planned;
        if (rounds > 0)
            _sequence = new Queue<string>((longOutage is null ? [] : new[] { longOutage }).Concat(Enumerable.Range(0, rounds).SelectMany(_ => kinds)));
    }

    /// <summary>How many of each kind the run must inject (at least).</summary>
    public IReadOnlyDictionary<string, int> Planned { get; }

    public IReadOnlyDictionary<string, int> Injected => _injected;

    /// <summary>True when the plan is a fixed number of faults that the run waits for.</summary>
    public bool IsFixed => _sequence is not null;

    public int Total => Planned.Values.Sum();

    public int Done => _injected.Values.Sum();

    public bool Complete => Planned.All(p => _injected.GetValueOrDefault(p.Key) >= p.Value);

    /// <summary>The next fault to inject, or null when a fixed plan is done. Unplanned, producer faults are left out once the
    /// producer has finished (nothing left to kill it in the middle of).</summary>
    public string? Next(bool producerDone)
    {
        if (_sequence is not null) return _sequence.TryPeek(out var next) ? next : null;
        if (_longOutage is not null && !_injected.ContainsKey(_longOutage)) return _longOutage;
        for (var i = 0; i < _kinds.Count; i++)
        {
            var kind = _kinds[_turn++ % _kinds.Count];
            if (producerDone && kind is "producer-sigkill" or "dispatcher-sigkill-after-publish") continue;
            return kind;
        }
        return "consumer-sigkill";
    }

    public void Record(string kind)
    {
        if (_sequence is not null && _sequence.TryPeek(out var next) && next == kind) _sequence.Dequeue();
        _injected[kind] = _injected.GetValueOrDefault(kind) + 1;
    }

    /// <summary>The planned kinds injected fewer times than planned, as "kind: injected i of p planned".</summary>
    public static IReadOnlyList<string> Shortfall(IReadOnlyDictionary<string, int> planned, IReadOnlyDictionary<string, int> injected) =>
        [.. planned.Where(p => injected.GetValueOrDefault(p.Key) < p.Value).Select(p => $"{p.Key}: injected {injected.GetValueOrDefault(p.Key)} of {p.Value} planned")];
}
