using Messaging.Handling;
using Messaging.Outbox.Operations;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.DeadLetters;

/// <summary>
/// Key-ordered dead-lettering on the dead-letters table of <typeparamref name="TContext"/>
/// (<see cref="OutboxOptions.KeyOrderedDeadLetters"/>). A keyed message passes when no row holds its key, or when it is the
/// first row holding it (a released message, or a Parked head the broker delivered again); otherwise it is recorded as Held
/// behind that row. A released message, once handled, turns Redriven, and when it was the last one in flight the messages
/// held behind it are released, in one transaction.
/// </summary>
/// <remarks>Relies on the transports handling one message of a key at a time (RabbitMQ lanes by key, Kafka partitions):
/// the message dead-lettered is recorded before the next message of its key is looked at.</remarks>
internal sealed class KeyOrderGate<TContext>(IServiceScopeFactory scopes, KeyHeadLookups<TContext> heads, IOptions<OutboxOptions> options,
    TimeProvider time, ILogger<KeyOrderGate<TContext>> logger) : IKeyOrderGate where TContext : DbContext
{
    public async Task<KeyOrderDecision> EnterAsync(string endpoint, IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!options.Value.KeyOrderedDeadLetters) return KeyOrderDecision.Handle;
        var envelope = message.Envelope;
        var key = envelope.PartitionKey!;
        var head = await heads.HeadAsync(endpoint, key, cancellationToken).ConfigureAwait(false);
        if (head is null) return KeyOrderDecision.Handle;
        // The head itself: re-driven (Releasing), or Parked and delivered again by the broker (an ack lost after its
        // dead-lettering, a producer's retry). Either way, once handled it no longer holds its key.
        if (head.MessageId == envelope.MessageId)
            return head.Status is DeadLetterStatus.Releasing or DeadLetterStatus.Parked ? KeyOrderDecision.HandleReleased : KeyOrderDecision.Handle;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
            await HoldAsync(scope.ServiceProvider.GetRequiredService<TContext>(), message, head, cancellationToken).ConfigureAwait(false);
        OutboxLog.HeldBehindKey(logger, envelope.MessageId, key, head.MessageId, head.Status.ToString(), endpoint);
        return KeyOrderDecision.Held;
    }

    public async Task ReleasedAsync(string endpoint, IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = message.Envelope;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await DeadLetterOperations.InTransactionAsync(db, async () =>
            {
                await db.Set<DeadLetter>().Where(d => d.Endpoint == endpoint && d.PartitionKey == envelope.PartitionKey && d.MessageId == envelope.MessageId
                        && (d.Status == DeadLetterStatus.Releasing || d.Status == DeadLetterStatus.Parked))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeadLetterStatus.Redriven), cancellationToken).ConfigureAwait(false);
                if (await KeyedDeadLetters.ReleaseHeldAsync(db, endpoint, envelope.PartitionKey!, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) > 0)
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records the message as held behind <paramref name="head"/> (a row of its own, or its earlier row); when the
    /// head is itself Held (what held it was removed by hand), the key's held messages are released, so it cannot stall.</summary>
    private async Task HoldAsync(TContext db, IncomingMessage message, DeadLetter head, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var messageId = message.Envelope.MessageId;
        var row = messageId.Length == 0 ? null : await db.Set<DeadLetter>().Where(d => d.Endpoint == head.Endpoint && d.MessageId == messageId)
            .OrderBy(d => d.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null) db.Set<DeadLetter>().Add(DeadLetterRows.Held(message, head, now));
        else DeadLetterRows.HeldAgain(row, message, head, now);
        await DeadLetterOperations.InTransactionAsync(db, async () =>
        {
            if (head.Status == DeadLetterStatus.Held) await KeyedDeadLetters.ReleaseHeldAsync(db, head.Endpoint, head.PartitionKey!, now, cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
