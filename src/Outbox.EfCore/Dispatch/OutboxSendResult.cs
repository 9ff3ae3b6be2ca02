namespace Messaging.Outbox.Dispatch;

/// <summary>What became of each row of a claimed batch.</summary>
internal sealed class OutboxSendResult
{
    /// <summary>Rows the broker confirmed.</summary>
    public List<OutboxMessage> Sent { get; } = [];

    /// <summary>Rows not confirmed, with why and what kind of failure (a <c>PublishFailure</c> name, or the exception's
    /// type); <c>Permanent</c> rows fail at once (unreadable headers, invalid for the transport).</summary>
    public Dictionary<OutboxMessage, (string Error, bool Permanent, string Kind)> Unconfirmed { get; } = [];

    /// <summary>Rows not confirmed because their transport could not reach its broker, with why. Not the row's fault:
    /// its attempts are not counted.</summary>
    public Dictionary<OutboxMessage, string> Waiting { get; } = [];

    /// <summary>Rows not attempted: held back behind an unconfirmed row of their key, or cut off by shutdown.</summary>
    public List<OutboxMessage> Deferred { get; } = [];

    /// <summary>Transports (as named by <see cref="TransportCircuits.NameOf"/>) that could not reach their broker, with why.</summary>
    public Dictionary<string, string> Outages { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Transports whose broker answered this round (a row confirmed or refused by the broker).</summary>
    public HashSet<string> Answered { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void Add(OutboxSendResult other)
    {
        Sent.AddRange(other.Sent);
        foreach (var (row, error) in other.Unconfirmed) Unconfirmed[row] = error;
        foreach (var (row, reason) in other.Waiting) Waiting[row] = reason;
        Deferred.AddRange(other.Deferred);
        foreach (var (transport, reason) in other.Outages) Outages.TryAdd(transport, reason);
        Answered.UnionWith(other.Answered);
    }
}
