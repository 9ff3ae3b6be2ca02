using Messaging.Transport;

namespace Messaging.Compliance;

/// <summary>For transport tests that call ReceiveAsync with a processor of their own: does what Core's pipeline does
/// with a message whose envelope could not be read (dead-letters it with the reason), and hands the rest on.</summary>
public static class UnreadableMessages
{
    public static MessageProcessor DeadLetteredBefore(MessageProcessor processor) => (message, cancellationToken) =>
        message.Unreadable is { } why
            ? Task.FromResult(ProcessingResult.DeadLettered(new DeadLetterReason($"envelope could not be read: {why}", null, null, 0)))
            : processor(message, cancellationToken);
}
