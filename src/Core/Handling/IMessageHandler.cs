namespace Messaging.Handling;

/// <summary>
/// Handles one message type. Returning acknowledges the message; throwing makes the pipeline retry by
/// policy and then dead-letter it with the exception as the reason. Resolved from a new DI scope per
/// message, so a scoped DbContext is shared with the inbox.
/// </summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public interface IMessageHandler<in TMessage>
{
    /// <summary>Handles the message. Must be safe to run again for the same message after a crash
    /// (use the inbox for exactly-once effects in the database).</summary>
    /// <param name="message">The deserialized message.</param>
    /// <param name="context">Envelope and handler metadata.</param>
    /// <param name="cancellationToken">Cancelled on shutdown or handler timeout.</param>
    /// <returns>A task that completes when the work is done.</returns>
    Task HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken);
}
