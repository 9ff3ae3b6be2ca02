using System.Data.Common;

namespace Messaging.Outbox.Inbox;

/// <summary>
/// One handler run waiting for a place in an inbox batch. The handshake between the caller (the inbox filter, on
/// the message's own async flow) and the batch that owns the transaction: the batch grants the turn with its open
/// connection and transaction, the caller runs its savepoint, inbox row and handler and says it is done, and after the
/// batch committed the caller learns whether its work is durable.
/// </summary>
internal sealed class InboxTurn(CancellationToken cancellationToken)
{
    private readonly TaskCompletionSource<(DbConnection Connection, DbTransaction Transaction, string Savepoint)> _granted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The caller's token: a turn cancelled before it is granted is skipped.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Completes when the batch hands this run its connection, transaction and savepoint name (unique in the
    /// batch, so rolling back to it can never undo another run); throws when the batch could not start (the database's
    /// error) or the run was cancelled while it waited.</summary>
    public Task<(DbConnection Connection, DbTransaction Transaction, string Savepoint)> Granted => _granted.Task;

    /// <summary>Completes when the caller finished its run: true when its work stands (its savepoint kept), false when
    /// it was rolled back to its savepoint; an exception when the shared transaction is no longer usable.</summary>
    public Task<bool> Done => _done.Task;

    /// <summary>Completes when the batch's transaction committed; throws the commit's error otherwise.</summary>
    public Task Committed => _committed.Task;

    public void Grant(DbConnection connection, DbTransaction transaction, int position) =>
        _granted.TrySetResult((connection, transaction, SavepointName(position)));

    /// <summary>messaging_inbox_&lt;position&gt;; the names of the first positions made once, not per message.</summary>
    private static string SavepointName(int position) =>
        position < SavepointNames.Length ? SavepointNames[position] : "messaging_inbox_" + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] SavepointNames =
        [.. Enumerable.Range(0, 256).Select(i => "messaging_inbox_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public void Refuse(Exception error) => _granted.TrySetException(error);

    public void Cancel() => _granted.TrySetCanceled(CancellationToken);

    public void Finish(bool kept) => _done.TrySetResult(kept);

    public void Break(Exception error) => _done.TrySetException(error);

    public void Commit() => _committed.TrySetResult();

    public void FailCommit(Exception error) => _committed.TrySetException(error);
}
