using Messaging.Transport;

namespace Messaging.Outbox.Operations;

/// <summary>A dead letter read from a broker's dead-letter queue or topic (held by its reader, not removed), as a row of the
/// shape the dead-letters table keeps, with the copy its reader removes. What <c>messaging dlq --source</c> and the dashboard
/// show.</summary>
/// <param name="Row">Its fields, read from the copy's envelope and <c>dead-letter-*</c> headers (docs/wire-format.md); not
/// tracked, not in the table unless <see cref="DeadLetterOperations.OverlayTableStateAsync"/> found it there.</param>
/// <param name="Copy">The copy as its reader holds it.</param>
public sealed record BrokerDeadLetter(DeadLetter Row, DeadLetterCopy Copy)
{
    /// <summary>For a person: <c>delivery-tag 3</c>, or <c>partition 0 offset 17</c>.</summary>
    public string Position => Copy.Position;

    /// <summary>Reads up to <paramref name="limit"/> copies of <paramref name="source"/>, oldest first, as rows (held by
    /// <paramref name="source"/> until it is disposed or they are removed).</summary>
    /// <param name="source">An open reader.</param>
    /// <param name="limit">Most copies read (count, at least 1).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The copies as rows; empty when the queue or topic is empty.</returns>
    /// <exception cref="MessagingException">The queue or topic does not exist, or the reader could not take it.</exception>
    public static async Task<IReadOnlyList<BrokerDeadLetter>> ReadAsync(IBrokerDeadLetters source, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return [.. (await source.ReadAsync(limit, cancellationToken).ConfigureAwait(false)).Select(copy => new BrokerDeadLetter(
            DeadLetter.FromBrokerCopy(copy.Envelope, copy.Headers, source.Transport, source.Endpoint, source.DeadLetterDestination), copy))];
    }
}
