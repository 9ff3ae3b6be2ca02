using Messaging.Outbox;
using Messaging.Transport;

namespace Messaging.Cli.Brokers;

/// <summary>A dead letter read from a broker's dead-letter queue or topic (not yet removed there), as a row of the shape
/// the database keeps, with the copy its reader removes.</summary>
/// <param name="Row">Its fields, read from the copy's envelope and <c>dead-letter-*</c> headers.</param>
/// <param name="Copy">The copy as its reader holds it.</param>
internal sealed record BrokerDeadLetter(DeadLetter Row, DeadLetterCopy Copy)
{
    /// <summary>For a person: <c>delivery-tag 3</c>, or <c>partition 0 offset 17</c>.</summary>
    public string Position => Copy.Position;

    /// <summary>The copies of <paramref name="source"/> as rows.</summary>
    public static async Task<IReadOnlyList<BrokerDeadLetter>> ReadAsync(IBrokerDeadLetters source, int limit, CancellationToken cancellationToken) =>
        [.. (await source.ReadAsync(limit, cancellationToken).ConfigureAwait(false)).Select(copy => new BrokerDeadLetter(
            DeadLetter.FromBrokerCopy(copy.Envelope, copy.Headers, source.Transport, source.Endpoint, source.DeadLetterDestination), copy))];
}
