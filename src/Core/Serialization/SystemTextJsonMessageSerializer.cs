using System.Text.Json;

namespace Messaging.Serialization;

/// <summary>The default serializer: System.Text.Json with web defaults (camelCase), UTF-8 JSON bodies.</summary>
public sealed class SystemTextJsonMessageSerializer : IMessageSerializer
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates the serializer.</summary>
    /// <param name="options">JSON options; null for <see cref="JsonSerializerDefaults.Web"/>.</param>
    public SystemTextJsonMessageSerializer(JsonSerializerOptions? options = null)
        => _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public string ContentType => "application/json";

    /// <inheritdoc />
    public byte[] Serialize(object message, Type type) => JsonSerializer.SerializeToUtf8Bytes(message, type, _options);

    /// <inheritdoc />
    public object Deserialize(ReadOnlyMemory<byte> body, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, type, _options)
                ?? throw new MessageDeserializationException($"Body is JSON null, not a {type.Name}.", null);
        }
        catch (JsonException ex)
        {
            throw new MessageDeserializationException($"Body is not valid JSON for {type.Name}: {ex.Message}", ex);
        }
    }
}
