namespace Messaging.Outbox.Operations;

/// <summary>Which parked dead letters an operation takes: by message id, by failure group, or all.</summary>
/// <param name="MessageIds">Message ids; empty unless chosen by id.</param>
/// <param name="Fingerprint">A failure group (<see cref="DeadLetterOperations.NoFingerprint"/>: the rows recorded without one); null unless chosen by group.</param>
/// <param name="All">Every parked dead letter.</param>
/// <param name="Endpoint">Only this endpoint's; null for every endpoint.</param>
public sealed record DeadLetterSelection(IReadOnlyList<string> MessageIds, string? Fingerprint, bool All, string? Endpoint = null)
{
    /// <summary>The dead letters of these message ids.</summary>
    /// <param name="ids">Message ids.</param>
    /// <returns>The selection.</returns>
    public static DeadLetterSelection ById(params string[] ids) => new(ids, null, false);
}
