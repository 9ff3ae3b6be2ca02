namespace Messaging.Publishing;

/// <summary>Builds envelopes from message objects using the routing table and the serializer.</summary>
public interface IEnvelopeFactory
{
    /// <summary>Creates the envelope of a message: new message id (unless given), type name, destination,
    /// partition key, serialized body.</summary>
    /// <param name="message">The message object.</param>
    /// <param name="messageType">The CLR type to route and serialize as.</param>
    /// <param name="options">Optional overrides; null for defaults.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="InvalidOperationException">The type has no route.</exception>
    Envelope Create(object message, Type messageType, PublishOptions? options = null);
}
