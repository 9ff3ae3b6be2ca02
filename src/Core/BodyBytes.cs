using System.Runtime.InteropServices;

namespace Messaging;

/// <summary>An envelope body as the <c>byte[]</c> some APIs need (Confluent.Kafka's message value, an EF Core column).</summary>
public static class BodyBytes
{
    /// <summary>The array behind <paramref name="body"/> when the body is that whole array (the serializer's
    /// output, a consumed record's value), else a copy. Sharing is safe: envelopes are immutable, Confluent.Kafka
    /// copies the value into librdkafka during <c>Produce</c>, and EF Core only reads it. Saves one body-sized
    /// allocation and copy per message.</summary>
    /// <param name="body">The envelope's body.</param>
    /// <returns>An array holding exactly the body's bytes; never to be written to.</returns>
    public static byte[] AsArray(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
}
