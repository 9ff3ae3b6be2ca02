using Messaging.Outbox.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// Deletes Sent outbox rows older than <see cref="OutboxOptions.SentRetentionMs"/> and inbox rows older than
/// <see cref="OutboxOptions.InboxRetentionMs"/> (except those of a message with a Parked, Held or Releasing dead letter), at most
/// <see cref="OutboxOptions.RetentionBatchSize"/> rows per statement, until none is left. Pending and Failed rows are
/// never deleted.
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
            var total = await OutboxOperations.PurgeSentAsync(db, now.AddMilliseconds(-_options.SentRetentionMs), batch, null, cancellationToken).ConfigureAwait(false);
            if (total > 0) OutboxLog.SentRowsDeleted(logger, total, _options.SentRetentionMs);
        }
        if (_options.InboxRetentionMs > 0)
        {
            var total = await InboxOperations.PurgeAsync(db, now.AddMilliseconds(-_options.InboxRetentionMs), batch, null, cancellationToken).ConfigureAwait(false);
            if (total > 0) OutboxLog.InboxRowsDeleted(logger, total, _options.InboxRetentionMs);
        }
    }
}
