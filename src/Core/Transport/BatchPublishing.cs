using Messaging.Publishing;

namespace Messaging.Transport;

/// <summary>For a transport whose broker has no batch of its own: <see cref="IMessageTransport.SendBatchAsync"/> as
/// single confirmed sends, with the batch's contract on failures.</summary>
public static class BatchPublishing
{
    /// <summary>Sends each envelope with <paramref name="send"/>, in list order, each confirmed before the next starts (so
    /// each partition key's messages are confirmed in order); a <see cref="PublishException"/> is collected and the next
    /// envelope is still tried.</summary>
    /// <param name="envelopes">The batch, in the order to publish.</param>
    /// <param name="send">The transport's confirmed single send (its <see cref="IMessageTransport.SendAsync"/>).</param>
    /// <param name="cancellationToken">Passed to every send.</param>
    /// <exception cref="BatchPublishException">One or more sends failed; it lists each with its reason, and every envelope
    /// not listed was confirmed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="envelopes"/> or <paramref name="send"/> is null.</exception>
    /// <remarks>Any other exception of <paramref name="send"/> (a cancellation, a bug) ends the batch at once: what was
    /// not tried yet was not sent.</remarks>
    public static async Task SendOneByOneAsync(IReadOnlyList<Envelope> envelopes, Func<Envelope, CancellationToken, Task> send,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        ArgumentNullException.ThrowIfNull(send);
        List<PublishException>? failures = null;
        foreach (var envelope in envelopes)
        {
            try { await send(envelope, cancellationToken).ConfigureAwait(false); }
            catch (PublishException ex) { (failures ??= []).Add(ex); }
        }
        if (failures is not null) throw new BatchPublishException(failures);
    }
}
