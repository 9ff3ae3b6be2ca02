namespace Messaging.Handling;

/// <summary>
/// Counts, across restarts and service instances, how many deliveries of a message reached an endpoint's handlers,
/// so that poison detection (<see cref="RetryOptions.MaxDeliveries"/>) counts only those. The broker's own count
/// (RabbitMQ quorum queues' <c>x-delivery-count</c>) also rises for deliveries that were merely prefetched when a
/// connection dropped, which would park healthy messages after a few connection blips. The EF Core outbox package
/// registers one on the inbox's database; without one, the broker's count is used.
/// </summary>
public interface IDeliveryLedger
{
    /// <summary>Records that a message the broker delivered before is about to reach the handlers again. Called only
    /// for redeliveries (broker count above 1), so the first delivery costs nothing.</summary>
    /// <param name="endpoint">The endpoint (queue) name.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="handlers">The names of the handlers the message would run.</param>
    /// <param name="cancellationToken">Cancels the database round trip.</param>
    /// <returns>The deliveries of this message that reached the endpoint's handlers, this one included and the
    /// unrecorded first one counted (so at least 2); 0 when every handler in <paramref name="handlers"/> has already
    /// handled it (its inbox row exists), so nothing is left to run.</returns>
    /// <exception cref="Exception">The database failed; the pipeline then falls back to the broker's count.</exception>
    Task<int> RecordRedeliveryAsync(string endpoint, string messageId, IReadOnlyList<string> handlers, CancellationToken cancellationToken);
}
