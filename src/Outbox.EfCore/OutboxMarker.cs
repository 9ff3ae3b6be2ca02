using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Records a batch's outcome: confirmed rows Sent in one statement; an unconfirmed row gets its attempt, error and a
/// backoff lease (it and the later rows of its key wait), or Failed after the maximum attempts; a row whose transport
/// could not reach its broker keeps its attempts and gets only the reason; rows not attempted are released for the
/// next round.
/// </summary>
internal sealed class OutboxMarker(IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxMarker> logger)
{
    private readonly OutboxOptions _options = options.Value;

    /// <summary>Wait before the <paramref name="failures"/>-th retry: PollIntervalMs × 2^(n-1), at most MaxBackoffMs, with jitter.</summary>
    public static TimeSpan Backoff(OutboxOptions options, int failures) =>
        Messaging.Backoff.Delay(failures, TimeSpan.FromMilliseconds(options.PollIntervalMs), TimeSpan.FromMilliseconds(options.MaxBackoffMs));

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

    private async Task RecordCoreAsync(DbContext db, string owner, OutboxSendResult result, CancellationToken cancellationToken)
    {
        var outbox = db.Set<OutboxMessage>();
        var now = time.GetUtcNow().UtcDateTime;
        if (result.Sent.Count > 0)
        {
            var ids = result.Sent.ConvertAll(r => r.Id);
            DateTime? sentAt = now;
            await outbox.Where(m => ids.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.SentAt, sentAt)
                    .SetProperty(m => m.LeaseUntil, (DateTime?)null), cancellationToken)
                .ConfigureAwait(false);
        }
        foreach (var (row, (error, permanent)) in result.Unconfirmed)
        {
            // The row is leased to this dispatcher, so the attempts read with the claim are current.
            var attempts = row.Attempts + 1;
            var failed = permanent || attempts >= _options.MaxAttempts;
            DateTime? retryAt = failed ? null : now + Backoff(_options, attempts);
            var status = failed ? OutboxStatus.Failed : OutboxStatus.Pending;
            await outbox.Where(m => m.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastError, error)
                    .SetProperty(m => m.Status, status).SetProperty(m => m.LeaseUntil, retryAt), cancellationToken)
                .ConfigureAwait(false);
            if (failed) OutboxLog.RowFailed(logger, row.MessageId, row.Id, row.Destination, attempts, error);
            else OutboxLog.RowUnconfirmed(logger, row.MessageId, row.Id, row.Destination, attempts, _options.MaxAttempts, error);
        }
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
            var ids = result.Deferred.ConvertAll(r => r.Id);
            await outbox.Where(m => ids.Contains(m.Id) && m.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, (DateTime?)null), cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
