using System.Collections.Concurrent;
using Messaging.Handling;

namespace Messaging.ForeignClients;

/// <summary>What became of the messages of each scenario (the <c>scenario</c> application header) that reached the
/// handler: applied, or skipped by the inbox as a duplicate.</summary>
public sealed class WireTally
{
    public const string ScenarioHeader = "scenario";

    private readonly ConcurrentDictionary<(string Scenario, HandlerOutcome Outcome), int> _counts = new();

    /// <summary>The envelopes the handler applied, by message id.</summary>
    public ConcurrentDictionary<string, Envelope> Applied { get; } = new();

    public void Record(Envelope envelope, HandlerOutcome outcome)
    {
        _counts.AddOrUpdate((envelope.Headers.GetValueOrDefault(ScenarioHeader) ?? "", outcome), 1, (_, n) => n + 1);
        if (outcome == HandlerOutcome.Handled) Applied[envelope.MessageId] = envelope;
    }

    public int Count(string scenario, HandlerOutcome outcome) => _counts.GetValueOrDefault((scenario, outcome));

    public int Total => _counts.Values.Sum();
}

/// <summary>Registered before the inbox, so it sees the inbox's outcome.</summary>
public sealed class WireTallyFilter(WireTally tally) : IHandlerFilter
{
    public async Task<HandlerOutcome> InvokeAsync(MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        var outcome = await next(cancellationToken);
        tally.Record(context.Envelope, outcome);
        return outcome;
    }
}
