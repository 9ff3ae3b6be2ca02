using Messaging.Outbox.Dialects;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// Records a batch's outcome: confirmed rows Sent in one statement; an unconfirmed row gets its attempt, error and a
/// backoff lease (it and the later rows of its key wait), or Failed after the maximum attempts; a row whose transport
/// could not reach its broker keeps its attempts and gets only the reason; rows not attempted are released for the
/// next round.
/// </summary>
internal sealed class OutboxMarker(IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxMarker> logger)
{
    private static readonly IdsStatement Sent = new((dialect, table, count) => dialect.SentSql(table, count));
    private readonly OutboxOptions _options = options.Value;

    public async Task RecordAsync(DbContext db, string owner, OutboxSendResult result, CancellationToken cancellationToken)
    {
        if (result.Unconfirmed.Count == 0 && result.Deferred.Count == 0 && result.Waiting.Count == 0)
        {
            await RecordCoreAsync(db, owner, result, cancellationToken).ConfigureAwait(false); // one statement
            return;
        }
        // Several statements: one transaction, so a reader never sees half a batch recorded.
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await RecordCoreAsync(db, owner, result, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The Sent mark as one ADO.NET command on the context's connection and transaction: with flush on commit it
    /// runs once per save, and EF Core's <c>ExecuteUpdate</c> (query pipeline, parameter handling) cost several times the
    /// statement itself.</summary>
    private static async Task MarkSentAsync(DbContext db, List<long> ids, DateTime now, CancellationToken cancellationToken)
    {
        var dialect = OutboxDialect.For(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = Sent.For(db, dialect, ids.Count);
            dialect.Add(command, "@sent", nameof(OutboxStatus.Sent)); // in the order SentSql names them
            dialect.Add(command, "@at", now);
            dialect.AddIds(command, ids);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One line per destination and kind of failure in a round, not one per row: 400 rows refused for one reason
    /// are one story for the person reading the log (the rows are in the table, their ids in the line).</summary>
    private void LogUnconfirmed(List<(OutboxMessage Row, string Error, string Kind, int Attempts, bool Failed)> outcomes)
    {
        foreach (var group in outcomes.GroupBy(o => (o.Row.Destination, o.Kind, o.Failed)))
        {
            var rows = group.OrderBy(o => o.Row.Id).ToList();
            var ids = string.Join(", ", rows.Take(10).Select(o => o.Row.Id)) + (rows.Count > 10 ? ", …" : "");
            if (group.Key.Failed)
                OutboxLog.RowsFailed(logger, rows.Count, group.Key.Destination, group.Key.Kind, ids, rows[0].Error);
            else
                OutboxLog.RowsUnconfirmed(logger, rows.Count, group.Key.Destination, group.Key.Kind, rows.Min(o => o.Attempts), rows.Max(o => o.Attempts),
                    _options.MaxAttempts, ids, rows[0].Error);
        }
    }

    private async Task RecordCoreAsync(DbContext db, string owner, OutboxSendResult result, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>();
        var now = time.GetUtcNow().UtcDateTime;
        if (result.Sent.Count > 0) await MarkSentAsync(db, result.Sent.ConvertAll(r => r.Id), now, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<(OutboxMessage Row, string Error, string Kind, int Attempts, bool Failed)>(result.Unconfirmed.Count);
        foreach (var (row, (error, permanent, kind)) in result.Unconfirmed)
        {
            // The row is leased to this dispatcher, so the attempts read with the claim are current.
            var attempts = row.Attempts + 1;
            var failed = permanent || attempts >= _options.MaxAttempts;
            DateTime? retryAt = failed ? null : now + _options.BackoffAfter(attempts);
            var status = failed ? OutboxStatus.Failed : OutboxStatus.Pending;
            await outbox.Where(m => m.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastError, error)
                    .SetProperty(m => m.Status, status).SetProperty(m => m.LeaseUntil, retryAt), cancellationToken)
                .ConfigureAwait(false);
            outcomes.Add((row, error, kind, attempts, failed));
        }
        LogUnconfirmed(outcomes);
        // An outage is not the row's fault: its attempts stay, its lease is given back (the paused transport's rows are
        // not claimed until a probe gets through) and last_error says what is going on.
        foreach (var waiting in result.Waiting.GroupBy(w => w.Value, w => w.Key.Id, StringComparer.Ordinal))
        {
            var ids = waiting.ToList();
            var reason = waiting.Key;
            await outbox.Where(m => ids.Contains(m.Id) && m.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastError, reason).SetProperty(m => m.LeaseUntil, (DateTime?)null), cancellationToken)
                .ConfigureAwait(false);
        }
        if (result.Deferred.Count > 0)
        {
            var ids = result.Deferred.Select(r => r.Id).ToList();
            await outbox.Where(m => ids.Contains(m.Id) && m.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, (DateTime?)null), cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
