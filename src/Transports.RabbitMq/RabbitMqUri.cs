using System.Diagnostics.CodeAnalysis;

namespace Messaging.RabbitMq;

/// <summary>Parses the broker URI (<c>Messaging:RabbitMq:Uri</c>): absolute, amqp:// or amqps://, with a host.</summary>
internal static class RabbitMqUri
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value, UriKind.Absolute, out var parsed)) return false;
        if (parsed.Scheme is not ("amqp" or "amqps") || string.IsNullOrEmpty(parsed.Host)) return false;
        uri = parsed;
        return true;
    }
}
