using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// Deletes Sent outbox rows older than <see cref="OutboxOptions.SentRetentionMs"/> and inbox rows older than
/// <see cref="OutboxOptions.InboxRetentionMs"/>, at most <see cref="OutboxOptions.RetentionBatchSize"/> rows per
/// statement, until none is left. Pending and Failed rows are never deleted.
/// </summary>
internal sealed class OutboxRetention(IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxRetention> logger)
{
    private readonly OutboxOptions _options = options.Value;

    public async Task RunAsync(DbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var batch = _options.RetentionBatchSize;
        if (_options.SentRetentionMs > 0)
        {
            DateTime? cutoff = now.AddMilliseconds(-_options.SentRetentionMs);
            var outbox = db.Set<OutboxMessage>();
            var total = await DeleteInBatchesAsync(async () =>
            {
                var ids = outbox.Where(m => m.Status == OutboxStatus.Sent && m.SentAt < cutoff).OrderBy(m => m.Id).Take(batch).Select(m => m.Id);
                var deleted = await outbox.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                return (deleted, deleted == batch);
            }).ConfigureAwait(false);
            if (total > 0) OutboxLog.SentRowsDeleted(logger, total, _options.SentRetentionMs);
        }
        if (_options.InboxRetentionMs > 0)
        {
            var cutoff = now.AddMilliseconds(-_options.InboxRetentionMs);
            var inbox = db.Set<InboxRecord>();
            var total = await DeleteInBatchesAsync(async () =>
            {
                var old = await inbox.AsNoTracking().Where(r => r.ProcessedAt < cutoff).OrderBy(r => r.ProcessedAt).Take(batch)
                    .Select(r => new { r.MessageId, r.HandlerName }).ToListAsync(cancellationToken).ConfigureAwait(false);
                var deleted = 0;
                foreach (var handler in old.GroupBy(r => r.HandlerName, StringComparer.Ordinal))
                {
                    var name = handler.Key;
                    var messageIds = handler.Select(r => r.MessageId).ToList();
                    deleted += await inbox.Where(r => r.HandlerName == name && messageIds.Contains(r.MessageId) && r.ProcessedAt < cutoff)
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }
                return (deleted, old.Count == batch);
            }).ConfigureAwait(false);
            if (total > 0) OutboxLog.InboxRowsDeleted(logger, total, _options.InboxRetentionMs);
            var redeliveries = db.Set<RedeliveryRecord>();
            await DeleteInBatchesAsync(async () =>
            {
                var deleted = await redeliveries.Where(r => r.LastDeliveredAt < cutoff).OrderBy(r => r.LastDeliveredAt).Take(batch)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                return (deleted, deleted == batch);
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="deleteBatch"/> (one bounded statement per call) while it says more may be left.</summary>
    private static async Task<long> DeleteInBatchesAsync(Func<Task<(int Deleted, bool More)>> deleteBatch)
    {
        long total = 0;
        while (true)
        {
            var (deleted, more) = await deleteBatch().ConfigureAwait(false);
            total += deleted;
            if (!more || deleted == 0) return total;
        }
    }
}
