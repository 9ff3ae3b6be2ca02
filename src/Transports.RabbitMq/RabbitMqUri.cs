using System.Diagnostics.CodeAnalysis;

namespace Messaging.RabbitMq;

/// <summary>Parses the broker URI and describes it without credentials (for logs and exception messages).</summary>
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

    /// <summary><c>host:port vhost '/'</c>: never the user or password.</summary>
    public static string Describe(string host, int port, string virtualHost) => $"{host}:{port} vhost '{virtualHost}'";
}
