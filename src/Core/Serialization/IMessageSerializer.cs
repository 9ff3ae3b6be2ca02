namespace Messaging.Serialization;

/// <summary>Turns message objects into envelope bodies and back.</summary>
public interface IMessageSerializer
{
    /// <summary>The MIME type written to <see cref="Envelope.ContentType"/>.</summary>
    string ContentType { get; }

    /// <summary>Serializes a message.</summary>
    /// <param name="message">The message object; not null.</param>
    /// <param name="type">Its CLR type.</param>
    /// <returns>The body bytes.</returns>
    byte[] Serialize(object message, Type type);

    /// <summary>Deserializes a body.</summary>
    /// <param name="body">The body bytes.</param>
    /// <param name="type">The CLR type to create.</param>
    /// <returns>The message object.</returns>
    /// <exception cref="MessageDeserializationException">The body is not a valid <paramref name="type"/>.</exception>
    object Deserialize(ReadOnlyMemory<byte> body, Type type);
}
