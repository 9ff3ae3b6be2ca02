using System.Text.Json.Serialization;

namespace Messaging.Benchmarks.Harness;

/// <summary>
/// A fixed rate at which a latency scenario offers its orders (open loop: the schedule does not wait for the
/// system). <see cref="Basis"/> says where a derived rate came from (null for a fixed one).
/// </summary>
public sealed record OfferedRate(
    [property: JsonPropertyName("perSecond")] double PerSecond,
    [property: JsonPropertyName("basis")] [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Basis = null)
{
    /// <summary>Orders in one run at this rate: --messages is read as milliseconds of offering (a run of 10,000 lasts 10 s).</summary>
    public int Orders(int messages) => Math.Max(20, (int)Math.Round(PerSecond * messages / 1000.0));

    [JsonIgnore] public string Label => $"{PerSecond:N0}/s";
}

/// <summary>A contender that can be driven at an offered rate (open loop) as well as as fast as it goes.</summary>
public interface IOpenLoopContender
{
    /// <summary>Offers <paramref name="orders"/> at <paramref name="perSecond"/> on a fixed schedule and measures them like <see cref="Contender.RunAsync"/>.</summary>
    Task<RunSample> RunOfferedAsync(int orders, double perSecond, CancellationToken cancellationToken);
}

/// <summary>What a scenario's rate resolver may use once its contenders are set up.</summary>
/// <param name="Contenders">The contenders whose set-up succeeded.</param>
/// <param name="Earlier">The results of the scenarios already run in this invocation (a maximum measured there can be reused).</param>
/// <param name="Messages">The scenario's messages per run (see <see cref="OfferedRate.Orders"/>).</param>
/// <param name="MeasureClosedLoopAsync">One untimed closed-loop run of a contender (its before- and after-run steps included).</param>
public sealed record RateContext(
    IReadOnlyList<Contender> Contenders,
    IReadOnlyList<ScenarioResult> Earlier,
    int Messages,
    Func<Contender, int, CancellationToken, Task<RunSample>> MeasureClosedLoopAsync);
