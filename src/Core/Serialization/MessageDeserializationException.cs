namespace Messaging.Serialization;

/// <summary>Thrown when a body cannot be turned into its message type; the message is dead-lettered at once.</summary>
public sealed class MessageDeserializationException : MessagingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the body.</param>
    /// <param name="innerException">The serializer's exception.</param>
    public MessageDeserializationException(string message, Exception? innerException) : base(message, innerException) { }
}
