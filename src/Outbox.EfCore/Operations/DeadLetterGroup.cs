namespace Messaging.Outbox.Operations;

/// <summary>Dead letters that share a key: a failure group (fingerprint), a message type or an endpoint.</summary>
/// <param name="Key">The fingerprint, message type or endpoint.</param>
/// <param name="Description">For a failure group: exception type (or reason) and failure site.</param>
/// <param name="Count">Dead letters in the group (count).</param>
/// <param name="FirstFailedAt">The earliest first failure (UTC).</param>
/// <param name="LastFailedAt">The latest failure (UTC).</param>
public sealed record DeadLetterGroup(string Key, string Description, int Count, DateTime FirstFailedAt, DateTime LastFailedAt)
{
    /// <summary>For a failure group: the handler that failed (the smallest name when several share the fingerprint); null for
    /// other groupings and for failures outside a handler (an unknown type, a malformed body).</summary>
    public string? Handler { get; init; }
}

/// <summary>What dead letters are grouped by (<see cref="DeadLetterOperations.GroupAsync"/>).</summary>
public enum DeadLetterGrouping
{
    /// <summary>The failure fingerprint: exception type (or reason) and the first application frame.</summary>
    Failure,

    /// <summary>The message type.</summary>
    Type,

    /// <summary>The consuming endpoint.</summary>
    Endpoint,
}
