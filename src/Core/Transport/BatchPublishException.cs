using Messaging.Publishing;

namespace Messaging.Transport;

/// <summary>
/// Thrown by <see cref="IMessageTransport.SendBatchAsync"/> when one or more messages of the batch were
/// not confirmed. Messages not listed in <see cref="Failures"/> were confirmed.
/// </summary>
public sealed class BatchPublishException : MessagingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failures">One <see cref="PublishException"/> per unconfirmed message; at least one.</param>
    public BatchPublishException(IReadOnlyList<PublishException> failures)
        : base($"{failures?.Count} message(s) of the batch were not confirmed; first: {failures?[0].Message}", failures?[0])
    {
        Failures = failures!;
    }

    /// <summary>The unconfirmed messages, each with its own reason.</summary>
    public IReadOnlyList<PublishException> Failures { get; }
}
