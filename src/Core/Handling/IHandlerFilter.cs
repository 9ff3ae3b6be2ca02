namespace Messaging.Handling;

/// <summary>
/// Wraps each handler execution (for example the inbox: open a transaction, skip a seen message id,
/// commit the inbox row with the handler's changes). Registered as scoped; filters run in registration order.
/// </summary>
public interface IHandlerFilter
{
    /// <summary>Runs around the handler.</summary>
    /// <param name="context">The message and handler.</param>
    /// <param name="next">Runs the rest of the chain and the handler.</param>
    /// <param name="cancellationToken">Cancelled on shutdown or handler timeout.</param>
    /// <returns><see cref="HandlerOutcome.Handled"/>, or <see cref="HandlerOutcome.SkippedDuplicate"/>
    /// without calling <paramref name="next"/>.</returns>
    Task<HandlerOutcome> InvokeAsync(MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken);
}
