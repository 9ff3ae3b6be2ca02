namespace Messaging.Publishing;

/// <summary>
/// Publishes messages directly to the configured broker with confirmation. To publish together with a
/// database change, use the outbox (Messaging.Outbox.EfCore) instead.
/// </summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Publishes a message and completes only when the broker confirmed it (RabbitMQ publisher confirm,
    /// Kafka <c>acks=all</c> delivery report).
    /// </summary>
    /// <typeparam name="TMessage">A message type mapped with <c>Map&lt;TMessage&gt;</c>.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="options">Optional id, key, correlation and headers.</param>
    /// <param name="cancellationToken">Cancels waiting for the confirmation.</param>
    /// <returns>The envelope as sent (with its message id).</returns>
    /// <exception cref="PublishException">The broker did not confirm the message.</exception>
    /// <exception cref="InvalidOperationException">The type has no route.</exception>
    Task<Envelope> PublishAsync<TMessage>(TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TMessage : notnull;

    /// <summary>Publishes a ready envelope (for example one read from the outbox) with confirmation.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">Cancels waiting for the confirmation.</param>
    /// <returns>A task that completes when the broker confirmed.</returns>
    /// <exception cref="PublishException">The broker did not confirm the message.</exception>
    Task PublishEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default);
}
