namespace Messaging;

/// <summary>Base type of every exception this library throws for a messaging failure.</summary>
public class MessagingException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    public MessagingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="innerException">The client library's exception that caused it.</param>
    public MessagingException(string message, Exception? innerException) : base(message, innerException) { }
}
