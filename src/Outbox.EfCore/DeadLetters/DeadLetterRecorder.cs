using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.DeadLetters;

/// <summary>
/// Records dead letters in <see cref="DeadLetter"/> rows of <typeparamref name="TContext"/>'s database (own scope, own
/// save). A message this endpoint dead-lettered before (same message id) counts a new failure on its row, which keeps its
/// re-drive count and becomes <see cref="DeadLetterStatus.Parked"/> again; a message without a message id always gets a
/// row of its own. With <see cref="OutboxOptions.KeyOrderedDeadLetters"/> a keyed row is marked key-ordered: it holds its key.
/// </summary>
internal sealed class DeadLetterRecorder<TContext>(IServiceScopeFactory scopes, IOptions<OutboxOptions> options) : IDeadLetterRecorder
    where TContext : DbContext
{
    public async Task RecordAsync(DeadLetterEntry deadLetter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var messageId = deadLetter.Envelope.MessageId;
            var row = messageId.Length == 0 ? null : await db.Set<DeadLetter>()
                .Where(d => d.Endpoint == deadLetter.Endpoint && d.MessageId == messageId).OrderBy(d => d.Id)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var keyOrdered = options.Value.KeyOrderedDeadLetters;
            if (row is null) db.Set<DeadLetter>().Add(DeadLetterRows.New(deadLetter, keyOrdered));
            else DeadLetterRows.FailedAgain(row, deadLetter, keyOrdered);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
