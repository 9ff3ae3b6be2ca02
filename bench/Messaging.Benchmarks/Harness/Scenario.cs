namespace Messaging.Benchmarks.Harness;

/// <summary>
/// One row of the report: its contenders measured side by side in the same run.
/// </summary>
/// <param name="Name">Stable id, matched by --scenarios.</param>
/// <param name="Scale">Messages per run = --messages × Scale (slow scenarios such as one transaction per message use less).</param>
/// <param name="Contenders">Creates the contenders, ours first.</param>
/// <param name="Note">What is measured, for the table's footnotes.</param>
/// <param name="Target">The target for this row, checked after the run; null for none.</param>
public sealed record Scenario(string Name, double Scale, Func<IReadOnlyList<Contender>> Contenders, string Note, Target? Target = null)
{
    /// <summary>
    /// For a latency scenario: the offered rates, resolved once the contenders are set up. Every round then runs every
    /// rate with the contenders taking turns at each, and the report has one row per rate. Null: one closed-loop row.
    /// </summary>
    public Func<RateContext, CancellationToken, Task<IReadOnlyList<OfferedRate>>>? Rates { get; init; }
}

/// <summary>A target from the issue: a minimum ratio ours/raw, a minimum rate, or latency ceilings.</summary>
public sealed record Target(string Text, Func<ScenarioResult, bool?> Met);
