namespace Messaging.Outbox;

/// <summary>What became of each row of a claimed batch.</summary>
internal sealed class OutboxSendResult
{
    /// <summary>Rows the broker confirmed.</summary>
    public List<OutboxMessage> Sent { get; } = [];

    /// <summary>Rows not confirmed, with why; <c>Permanent</c> rows fail at once (unreadable headers).</summary>
    public Dictionary<OutboxMessage, (string Error, bool Permanent)> Unconfirmed { get; } = [];

    /// <summary>Rows not attempted: held back behind an unconfirmed row of their key, or cut off by shutdown.</summary>
    public List<OutboxMessage> Deferred { get; } = [];

    public void Add(OutboxSendResult other)
    {
        Sent.AddRange(other.Sent);
        foreach (var (row, error) in other.Unconfirmed) Unconfirmed[row] = error;
        Deferred.AddRange(other.Deferred);
    }
}
