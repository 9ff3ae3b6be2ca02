using Messaging.Transport;

namespace Messaging.Testing;

/// <summary>For transport tests that call ReceiveAsync with a processor of their own: does what Core's pipeline does
/// with a message whose envelope could not be read (dead-letters it with the reason), and hands the rest on.</summary>
public static class UnreadableMessages
{
    /// <summary>Wraps <paramref name="processor"/>: a message with <see cref="IncomingMessage.Unreadable"/> set returns
    /// <see cref="ProcessingResult.DeadLettered"/> with the reason <c>envelope could not be read: &lt;why&gt;</c> and 0
    /// attempts; every other message goes to <paramref name="processor"/>.</summary>
    /// <param name="processor">The test's own processor.</param>
    public static MessageProcessor DeadLetteredBefore(MessageProcessor processor) => (message, cancellationToken) =>
        message.Unreadable is { } why
            ? Task.FromResult(ProcessingResult.DeadLettered(new DeadLetterReason($"envelope could not be read: {why}", null, null, 0)))
            : processor(message, cancellationToken);
}
