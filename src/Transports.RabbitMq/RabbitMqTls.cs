using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>Maps <see cref="RabbitMqTlsOptions"/> to the client's <see cref="SslOption"/>.</summary>
internal static class RabbitMqTls
{
    /// <summary>The TLS option for a connection to <paramref name="host"/>; <paramref name="fromUri"/> is what an
    /// <c>amqps://</c> URI already set (enabled, server name = host).</summary>
    public static SslOption ToSslOption(RabbitMqTlsOptions tls, string host, SslOption fromUri)
    {
        if (!tls.Enabled && !fromUri.Enabled) return fromUri;
        return new SslOption
        {
            Enabled = true,
            ServerName = string.IsNullOrEmpty(tls.ServerName) ? host : tls.ServerName,
            CertPath = tls.CertificatePath ?? "",
            CertPassphrase = tls.CertificatePassphrase ?? "",
            Version = tls.Protocols,
            AcceptablePolicyErrors = tls.AcceptablePolicyErrors,
        };
    }
}
