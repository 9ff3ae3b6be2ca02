using Messaging.Publishing;

namespace Messaging.Outbox;

/// <summary>
/// Writes messages to the outbox table of the application's DbContext (scoped: the same instance the
/// application uses in this scope). Nothing is saved here: the application's own <c>SaveChangesAsync</c>, or its
/// explicit transaction, commits business rows and outbox rows atomically. After the commit a dispatcher claims
/// the rows, publishes each with a publisher confirm through its transport, in order per partition key, and marks
/// it sent (at-least-once: a crash between the confirm and the mark re-sends the message with the same message id,
/// which the consumer's inbox absorbs). A rolled-back transaction leaves no outbox row, so nothing is published.
/// Every row records the name of the transport it goes through (column <c>transport</c>: the route's, else
/// <c>Messaging:Transport</c>); a dispatcher claims only rows of the transports its own host uses, so a host configured
/// differently on the same database never publishes another host's rows somewhere else.
/// </summary>
public interface IOutbox
{
    /// <summary>Creates the envelope of <paramref name="message"/> (new message id unless given, route, serializer)
    /// and adds it as a pending outbox row to the DbContext, without saving. The row is published through the
    /// route's transport (<c>Map&lt;TMessage&gt;(..., transport)</c>), or the primary one.</summary>
    /// <typeparam name="TMessage">A message type mapped with <c>Map&lt;TMessage&gt;</c>.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="options">Optional message id, partition key, correlation and causation ids, headers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The type has no route.</exception>
    /// <exception cref="PublishException"><see cref="PublishFailure.Invalid"/>: the serialized body is larger than
    /// <c>Messaging:MaxBodyBytes</c>; nothing is added.</exception>
    void Enqueue<TMessage>(TMessage message, PublishOptions? options = null) where TMessage : notnull;

    /// <summary>Adds a ready envelope (for example one being forwarded, or bridged to the other broker) as a pending
    /// outbox row to the DbContext, without saving. Message id, type, destination, partition key, correlation and
    /// causation ids, headers, timestamp and body are kept as they are.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="transport">The registered transport that publishes it (<c>RabbitMq</c>, <c>Kafka</c>); null for
    /// the route's transport of its message type, or the primary one if the type is not mapped here.</param>
    /// <exception cref="ArgumentNullException"><paramref name="envelope"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No transport named <paramref name="transport"/> is registered, or this host
    /// does not use it (not <c>Messaging:Transport</c>, not in <c>Messaging:ConsumeFrom</c>, no route or bridge through it):
    /// its settings would not be validated and no dispatcher of this service would send the row.</exception>
    /// <exception cref="PublishException"><see cref="PublishFailure.Invalid"/>: the body is larger than
    /// <c>Messaging:MaxBodyBytes</c>; nothing is added.</exception>
    void Enqueue(Envelope envelope, string? transport = null);

    /// <summary>Like <see cref="Enqueue{TMessage}"/>, but the dispatcher publishes the row only from
    /// <paramref name="notBefore"/> on (scheduled message, for example "cancel the order if unpaid in 30 minutes").
    /// The time is the application's clock (<see cref="TimeProvider"/>); the row goes out within about
    /// <see cref="OutboxOptions.PollIntervalMs"/> after it is due. A time in the past publishes at once.</summary>
    /// <typeparam name="TMessage">A message type mapped with <c>Map&lt;TMessage&gt;</c>.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="notBefore">The earliest publish time.</param>
    /// <param name="options">Optional message id, partition key, correlation and causation ids, headers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The type has no route.</exception>
    /// <exception cref="PublishException"><see cref="PublishFailure.Invalid"/>: the serialized body is larger than
    /// <c>Messaging:MaxBodyBytes</c>; nothing is added.</exception>
    void Schedule<TMessage>(TMessage message, DateTimeOffset notBefore, PublishOptions? options = null) where TMessage : notnull;
}
