namespace Messaging.Transport;

/// <summary>
/// Thrown by <see cref="IMessageTransport.PrepareAsync"/> when the broker cannot be reached now (down, unreachable,
/// refusing connections). Unlike other <see cref="MessagingException"/>s from preparation (a refused topology, a
/// rejected login), this one is expected to go away: with <c>Messaging:StartupMode = Degraded</c> the host keeps
/// starting and tries again with backoff.
/// </summary>
public sealed class BrokerUnavailableException : MessagingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What could not be reached, naming the host, never credentials.</param>
    /// <param name="innerException">The client library's exception, if any.</param>
    public BrokerUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }
}
