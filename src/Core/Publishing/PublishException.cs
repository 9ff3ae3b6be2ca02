namespace Messaging.Publishing;

/// <summary>
/// Thrown by a publish that the broker did not confirm. The message may be lost, or (for
/// <see cref="PublishFailure.Timeout"/> and <see cref="PublishFailure.ConnectionLost"/>) may still
/// arrive; publishing it again with the same message id is safe when consumers use the inbox.
/// </summary>
public sealed class PublishException : MessagingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the publish was not confirmed.</param>
    /// <param name="destination">The topic or exchange.</param>
    /// <param name="messageId">The message id of the unconfirmed message.</param>
    /// <param name="detail">What the broker or client said; must not contain secrets.</param>
    /// <param name="innerException">The client library's exception, if any.</param>
    public PublishException(PublishFailure failure, string destination, string messageId, string detail, Exception? innerException = null)
        : base($"Publish of message {messageId} to '{destination}' was not confirmed ({failure}): {detail}", innerException)
    {
        Failure = failure;
        Destination = destination;
        MessageId = messageId;
    }

    /// <summary>Why the publish was not confirmed.</summary>
    public PublishFailure Failure { get; }

    /// <summary>The topic or exchange the message was published to.</summary>
    public string Destination { get; }

    /// <summary>The message id of the unconfirmed message.</summary>
    public string MessageId { get; }

    /// <summary>True when the transport as a whole failed (<see cref="PublishFailure.ConnectionLost"/>,
    /// <see cref="PublishFailure.BrokerUnavailable"/>) rather than the broker refusing this message: publishing the
    /// same message again once the broker is back is expected to work.</summary>
    public bool IsOutage => Failure is PublishFailure.ConnectionLost or PublishFailure.BrokerUnavailable;
}
