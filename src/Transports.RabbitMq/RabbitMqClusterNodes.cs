using System.Globalization;
using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>
/// The nodes the connection may use, from <c>Messaging:RabbitMq:Hosts</c> (or the URI's host when that is empty), as the
/// client's endpoint list: it connects to a reachable one and its automatic recovery moves to another when that node goes.
/// User, password, vhost and TLS come from the URI and the other keys. Descriptions never hold credentials.
/// </summary>
internal static class RabbitMqClusterNodes
{
    /// <summary>Parses <c>host</c>, <c>host:port</c> or <c>[ipv6]:port</c>; port 0 means the scheme's default port.</summary>
    public static bool TryParse(string? value, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(value) || value.Contains("://", StringComparison.Ordinal) || value.Contains('@', StringComparison.Ordinal)) return false;
        var text = value.Trim();
        var hostPart = text;
        string? portPart = null;
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0) return false;
            hostPart = text[1..end];
            var rest = text[(end + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') return false;
                portPart = rest[1..];
            }
        }
        else if (text.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
        {
            if (text.IndexOf(':', colon + 1) >= 0) return false; // an IPv6 address needs brackets
            hostPart = text[..colon];
            portPart = text[(colon + 1)..];
        }
        if (portPart is not null && (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)) return false;
        host = hostPart;
        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    /// <summary>One endpoint per configured node (the factory's own endpoint when none is configured), each with the
    /// factory's TLS settings and, unless <c>Tls:ServerName</c> is set, its own host as the certificate's expected name.</summary>
    public static List<AmqpTcpEndpoint> Endpoints(RabbitMqOptions options, ConnectionFactory factory)
    {
        if (options.Hosts.Length == 0) return [factory.Endpoint];
        var endpoints = new List<AmqpTcpEndpoint>(options.Hosts.Length);
        for (var i = 0; i < options.Hosts.Length; i++)
        {
            if (!TryParse(options.Hosts[i], out var host, out var port))
                throw new MessagingException($"{RabbitMqOptions.SectionName}:Hosts:{i} is not host or host:port.");
            var ssl = RabbitMqTls.ToSslOption(options.Tls, host, factory.Ssl);
            endpoints.Add(new AmqpTcpEndpoint(host, port == 0 ? AmqpTcpEndpoint.UseDefaultPort : port, ssl));
        }
        return endpoints;
    }

    /// <summary><c>host:port, host:port vhost '/'</c>: never the user or password.</summary>
    public static string Describe(IEnumerable<AmqpTcpEndpoint> endpoints, string virtualHost) =>
        $"{string.Join(", ", endpoints.Select(e => e.HostName + ":" + e.Port.ToString(CultureInfo.InvariantCulture)))} vhost '{virtualHost}'";
}
