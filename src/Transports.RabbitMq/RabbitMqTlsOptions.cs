using System.Net.Security;
using System.Security.Authentication;

namespace Messaging.RabbitMq;

/// <summary>
/// TLS for the broker connection, bound from <c>Messaging:RabbitMq:Tls</c> and mapped to the client's
/// <c>SslOption</c>. The server certificate is always validated: its chain against the machine's trust store (or only
/// against <see cref="CaCertificatePath"/>'s CAs when set) and its name against <see cref="ServerName"/>, unless
/// <see cref="AcceptablePolicyErrors"/> relaxes it. A refused certificate fails the connection with a
/// <see cref="MessagingException"/> that says why (the expected name, or why the chain is not trusted).
/// </summary>
public sealed class RabbitMqTlsOptions
{
    /// <summary><c>Messaging:RabbitMq:Tls:Enabled</c>: connect with TLS (default false; an <c>amqps://</c> URI
    /// enables it too). The broker's TLS port is usually 5671.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls:ServerName</c>: the name the server certificate must carry; null or
    /// empty for the URI's host.</summary>
    public string? ServerName { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls:CaCertificatePath</c>: a PEM (or DER) file with the CA certificate(s) the
    /// broker's certificate must chain to, for a private CA that is not installed in the machine's trust store; null
    /// or empty for the machine's trust store. When set, only these CAs are trusted, and revocation is not checked
    /// (a private CA has no revocation list to ask). The file must exist at start-up.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls:CertificatePath</c>: a client certificate file (PKCS#12 / PFX) for
    /// mutual TLS; null for none. The file must exist at start-up.</summary>
    public string? CertificatePath { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls:CertificatePassphrase</c>: the passphrase of
    /// <see cref="CertificatePath"/>. A secret: never logged, never in exception messages.</summary>
    public string? CertificatePassphrase { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls:Protocols</c>: allowed TLS versions; default <c>None</c>, which lets
    /// the operating system choose (TLS 1.2 or 1.3).</summary>
    public SslProtocols Protocols { get; set; } = SslProtocols.None;

    /// <summary><c>Messaging:RabbitMq:Tls:AcceptablePolicyErrors</c>: certificate errors to tolerate, for
    /// example <c>RemoteCertificateNameMismatch</c> in a test environment. Default <c>None</c>: any error
    /// fails the connection.</summary>
    public SslPolicyErrors AcceptablePolicyErrors { get; set; } = SslPolicyErrors.None;
}
