using System.Text.Json;
using Messaging;

namespace Spool;

/// <summary>
/// One message on disk: a JSON object with the envelope's header table (Messaging's wire contract, written by
/// <see cref="EnvelopeHeaders.Write{TState}"/>) and the body as base64. Written to a temporary name, flushed to disk and
/// renamed into the queue folder, so a reader sees a whole file or none.
/// </summary>
internal static class SpoolFile
{
    private sealed record Content(Dictionary<string, string> Headers, byte[] Body);

    /// <summary>The header table of <paramref name="envelope"/>: its application headers, then the reserved ones (which
    /// win), then <paramref name="extra"/> (a dead letter's reason headers).</summary>
    public static Dictionary<string, string> Headers(Envelope envelope, IReadOnlyDictionary<string, string>? extra = null)
    {
        var headers = new Dictionary<string, string>(envelope.Headers, StringComparer.Ordinal);
        EnvelopeHeaders.Write(envelope, headers, static (h, name, value) => h[name] = value);
        if (extra is not null) foreach (var (name, value) in extra) headers[name] = value;
        return headers;
    }

    /// <summary>Writes <paramref name="name"/> into <paramref name="folder"/> durably; throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the disk refuses.</summary>
    public static void Write(string folder, string name, Dictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        var temporary = Path.Combine(folder, ".tmp", name);
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new Content(headers, body.ToArray()));
            stream.Flush(flushToDisk: true); // the publish is "confirmed" only once the bytes are on disk
        }
        File.Move(temporary, Path.Combine(folder, name));
    }

    /// <summary>Reads a message file: the envelope, or null with the reason it cannot be read (the pipeline dead-letters
    /// it with that reason).</summary>
    public static (Envelope? Envelope, string? Error) Read(string path, DateTimeOffset now)
    {
        Content? content;
        try
        {
            content = JsonSerializer.Deserialize<Content>(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            return (null, $"the file is not a spool message: {ex.Message}");
        }
        if (content?.Headers is not { } headers) return (null, "the file has no header table");
        var reader = new EnvelopeHeaderReader(); // Core's reader of the header table, as every transport reads it
        foreach (var (name, value) in headers) reader.Read(name, value);
        if (reader.Problem is { } problem) return (null, problem);
        if (reader.MessageId is null) return (null, $"header {HeaderNames.MessageId} is missing");
        if (reader.Destination is null) return (null, $"header {HeaderNames.Destination} is missing");
        return (reader.ToEnvelope(reader.Destination, now, content.Body ?? []), null); // no timestamp header: now
    }
}
