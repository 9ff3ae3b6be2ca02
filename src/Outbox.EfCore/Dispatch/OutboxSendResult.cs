namespace Messaging.Outbox.Dispatch;

/// <summary>What became of each row of a claimed batch. Most rounds only send: the collections of the other outcomes are
/// made when their first row or transport is added (through the methods), and read as shared empty ones until then, which
/// is why they are read-only views.</summary>
internal sealed class OutboxSendResult
{
    private static readonly Dictionary<OutboxMessage, (string Error, bool Permanent, string Kind)> NoUnconfirmed = [];
    private static readonly Dictionary<OutboxMessage, string> NoWaiting = [];
    private static readonly List<OutboxMessage> NoDeferred = [];
    private static readonly Dictionary<string, string> NoOutages = new(StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> NoAnswered = new(StringComparer.OrdinalIgnoreCase);

    private Dictionary<OutboxMessage, (string Error, bool Permanent, string Kind)>? _unconfirmed;
    private Dictionary<OutboxMessage, string>? _waiting;
    private List<OutboxMessage>? _deferred;
    private Dictionary<string, string>? _outages;
    private HashSet<string>? _answered;

    /// <summary>Rows the broker confirmed.</summary>
    public List<OutboxMessage> Sent { get; } = [];

    /// <summary>Rows not confirmed, with why and what kind of failure (a <c>PublishFailure</c> name, or the exception's
    /// type); <c>Permanent</c> rows fail at once (unreadable headers, invalid for the transport). Add with
    /// <see cref="Unconfirm"/>.</summary>
    public IReadOnlyDictionary<OutboxMessage, (string Error, bool Permanent, string Kind)> Unconfirmed => _unconfirmed ?? NoUnconfirmed;

    /// <summary>Rows not confirmed because their transport could not reach its broker, with why. Not the row's fault:
    /// its attempts are not counted. Add with <see cref="Wait"/>.</summary>
    public IReadOnlyDictionary<OutboxMessage, string> Waiting => _waiting ?? NoWaiting;

    /// <summary>Rows not attempted: held back behind an unconfirmed row of their key, or cut off by shutdown. Add with
    /// <see cref="Defer"/>.</summary>
    public IReadOnlyList<OutboxMessage> Deferred => _deferred ?? NoDeferred;

    /// <summary>Transports (as named by <see cref="TransportCircuits.NameOf"/>) that could not reach their broker, with why.
    /// Added by <see cref="Wait"/>.</summary>
    public IReadOnlyDictionary<string, string> Outages => _outages ?? NoOutages;

    /// <summary>Transports whose broker answered this round (a row confirmed or refused by the broker). Add with
    /// <see cref="Answer"/>.</summary>
    public IReadOnlySet<string> Answered => _answered ?? NoAnswered;

    public void Unconfirm(OutboxMessage row, (string Error, bool Permanent, string Kind) failure) => (_unconfirmed ??= [])[row] = failure;

    /// <summary>A row whose transport could not reach its broker: waiting, and the transport's outage with its first reason.</summary>
    public void Wait(OutboxMessage row, string transport, string why, string reason)
    {
        (_waiting ??= [])[row] = why;
        (_outages ??= new(StringComparer.OrdinalIgnoreCase)).TryAdd(transport, reason);
    }

    public void Defer(IEnumerable<OutboxMessage> rows) => (_deferred ??= []).AddRange(rows);

    public void Answer(string transport) => (_answered ??= new(StringComparer.OrdinalIgnoreCase)).Add(transport);

    public void Add(OutboxSendResult other)
    {
        Sent.AddRange(other.Sent);
        foreach (var (row, error) in other.Unconfirmed) Unconfirm(row, error);
        foreach (var (row, why) in other.Waiting) (_waiting ??= [])[row] = why;
        if (other.Deferred.Count > 0) Defer(other.Deferred);
        foreach (var (transport, reason) in other.Outages) (_outages ??= new(StringComparer.OrdinalIgnoreCase)).TryAdd(transport, reason);
        foreach (var transport in other.Answered) Answer(transport);
    }
}
