using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>Maps <see cref="RabbitMqTlsOptions"/> to the client's <see cref="SslOption"/>.</summary>
internal static class RabbitMqTls
{
    /// <summary>The TLS option for a connection to <paramref name="host"/>; <paramref name="fromUri"/> is what an
    /// <c>amqps://</c> URI already set (enabled, server name = host). The certificate check says why it refuses.</summary>
    /// <exception cref="MessagingException"><c>Tls:CaCertificatePath</c> cannot be read as certificates.</exception>
    public static SslOption ToSslOption(RabbitMqTlsOptions tls, string host, SslOption fromUri)
    {
        if (!tls.Enabled && !fromUri.Enabled) return fromUri;
        var serverName = string.IsNullOrEmpty(tls.ServerName) ? host : tls.ServerName;
        var cas = string.IsNullOrEmpty(tls.CaCertificatePath) ? null : RabbitMqTlsValidation.LoadCas(tls.CaCertificatePath);
        return new SslOption
        {
            Enabled = true,
            ServerName = serverName,
            CertPath = tls.CertificatePath ?? "",
            CertPassphrase = tls.CertificatePassphrase ?? "",
            Version = tls.Protocols,
            AcceptablePolicyErrors = tls.AcceptablePolicyErrors,
            CertificateValidationCallback = RabbitMqTlsValidation.Create(serverName, cas, tls.AcceptablePolicyErrors),
        };
    }
}
