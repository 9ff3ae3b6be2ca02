using System.Collections.Concurrent;
using System.Text;

namespace Messaging;

/// <summary>
/// The header values that repeat on every message of a kind (message type, destination, content type): encoded to and
/// decoded from UTF-8 once and then shared, so a publish or a delivery does not allocate them again. At most
/// 1,024 values each way are kept (a service has a few dozen); beyond that, and for values over 256 bytes, they are converted
/// every time. The shared byte arrays are never written to: the clients only copy them into their frames (RabbitMQ) or
/// into librdkafka (Kafka).
/// </summary>
public static class RepeatedHeaderValues
{
    private const int MaxEntries = 1024;
    private const int MaxBytes = 256;
    private static readonly ConcurrentDictionary<string, byte[]> Encoded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> Decoded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> DecodedBySpan =
        Decoded.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True for the envelope headers whose values repeat from message to message.</summary>
    /// <param name="headerName">A header name (<see cref="HeaderNames"/>).</param>
    /// <returns>True for <c>message-type</c>, <c>destination</c> and <c>content-type</c>.</returns>
    public static bool Repeats(string headerName) =>
        headerName is HeaderNames.MessageType or HeaderNames.Destination or HeaderNames.ContentType;

    /// <summary>The UTF-8 bytes of <paramref name="value"/>, shared with other publishes of the same value.</summary>
    /// <param name="value">The header value.</param>
    /// <returns>Its UTF-8 bytes; shared, never to be written to.</returns>
    public static byte[] Encode(string value)
    {
        if (Encoded.TryGetValue(value, out var bytes)) return bytes;
        bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length <= MaxBytes && Encoded.Count < MaxEntries) Encoded.TryAdd(value, bytes);
        return bytes;
    }

    /// <summary>The text of <paramref name="utf8"/>, which the caller has checked is valid UTF-8.</summary>
    /// <param name="utf8">The header value's bytes.</param>
    /// <returns>The text, the same string instance for the same value while it is kept.</returns>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[MaxBytes]; // UTF-8 never takes fewer bytes than UTF-16 takes chars
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (DecodedBySpan.TryGetValue(text, out var known)) return known;
        var decoded = new string(text);
        if (Decoded.Count < MaxEntries) Decoded.TryAdd(decoded, decoded);
        return decoded;
    }
}
