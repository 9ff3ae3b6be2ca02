using Messaging.Publishing;

namespace Messaging.Outbox;

/// <summary>
/// Writes messages to the outbox table of the application's DbContext (scoped: the same instance the
/// application uses in this scope). Nothing is saved here: the application's own <c>SaveChangesAsync</c>, or its
/// explicit transaction, commits business rows and outbox rows atomically. After the commit the dispatcher
/// publishes each row with a publisher confirm, in id order, and marks it sent (at-least-once: a crash between
/// the confirm and the mark re-sends the message with the same message id, which the consumer's inbox absorbs).
/// A rolled-back transaction leaves no outbox row, so nothing is published.
/// </summary>
public interface IOutbox
{
    /// <summary>Creates the envelope of <paramref name="message"/> (new message id unless given, route, serializer)
    /// and adds it as a pending outbox row to the DbContext, without saving.</summary>
    /// <typeparam name="TMessage">A message type mapped with <c>Map&lt;TMessage&gt;</c>.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="options">Optional message id, partition key, correlation and causation ids, headers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The type has no route.</exception>
    void Enqueue<TMessage>(TMessage message, PublishOptions? options = null) where TMessage : notnull;

    /// <summary>Adds a ready envelope (for example one being forwarded with its message id) as a pending outbox
    /// row to the DbContext, without saving.</summary>
    /// <param name="envelope">The envelope; its destination, message id and headers are kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="envelope"/> is null.</exception>
    void Enqueue(Envelope envelope);
}
