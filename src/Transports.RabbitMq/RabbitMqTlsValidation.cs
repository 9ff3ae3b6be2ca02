using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Messaging.RabbitMq;

/// <summary>
/// Checks the broker's certificate for a TLS connection and, when it is refused, says why in one sentence (the name it
/// was expected to carry, or why its chain is not trusted): no secrets, only the certificate's subject and the name.
/// With <c>Tls:CaCertificatePath</c> the chain must end at one of that file's CAs instead of the machine's trust store.
/// </summary>
internal static class RabbitMqTlsValidation
{
    /// <summary>The callback for the client's <c>SslOption</c>; throws <see cref="AuthenticationException"/> with the
    /// reason instead of returning false, so the reason reaches the start-up error.</summary>
    public static RemoteCertificateValidationCallback Create(string serverName, X509Certificate2Collection? trustedCas, SslPolicyErrors acceptable) =>
        (_, certificate, chain, errors) =>
        {
            var refused = errors & ~acceptable;
            var chainProblem = "";
            if (trustedCas is not null && certificate is not null)
            {
                // Judge the chain against the configured CAs only; the machine's verdict does not count either way.
                refused &= ~SslPolicyErrors.RemoteCertificateChainErrors;
                chainProblem = ChainProblem(certificate, chain, trustedCas);
                if (chainProblem.Length > 0 && !acceptable.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
                    refused |= SslPolicyErrors.RemoteCertificateChainErrors;
            }
            else if (chain is not null)
            {
                chainProblem = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
            }
            if (refused == SslPolicyErrors.None) return true;
            throw new AuthenticationException(Describe(refused, certificate, serverName, chainProblem));
        };

    /// <summary>The CAs in a PEM (or DER) file.</summary>
    /// <exception cref="MessagingException">The file cannot be read or holds no certificate.</exception>
    public static X509Certificate2Collection LoadCas(string path)
    {
        var cas = new X509Certificate2Collection();
        try
        {
            if (File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal)) cas.ImportFromPemFile(path);
            else cas.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new MessagingException($"{RabbitMqOptions.SectionName}:Tls:CaCertificatePath '{path}' cannot be read as certificates ({ex.GetType().Name}).", ex);
        }
        if (cas.Count == 0) throw new MessagingException($"{RabbitMqOptions.SectionName}:Tls:CaCertificatePath '{path}' holds no certificate.");
        return cas;
    }

    /// <summary>The reason of a refused TLS handshake somewhere in <paramref name="exception"/>'s chain, or null.</summary>
    public static string? FailureReason(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException) return e.Message;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(FailureReason).FirstOrDefault(r => r is not null) is { } inner) return inner;
        }
        return null;
    }

    private static string ChainProblem(X509Certificate certificate, X509Chain? sent, X509Certificate2Collection trustedCas)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no revocation list to ask
        if (sent is not null)
            foreach (var element in sent.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the broker sent
        if (chain.Build(leaf)) return "";
        var problem = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return problem.Length > 0 ? problem : "UntrustedRoot";
    }

    private static string Describe(SslPolicyErrors refused, X509Certificate? certificate, string serverName, string chainProblem)
    {
        if (certificate is null || refused.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "TLS: the broker sent no certificate.";
        var reasons = new List<string>();
        if (refused.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            reasons.Add($"it is not valid for the server name '{serverName}' (set Tls:ServerName to the name the certificate carries)");
        if (refused.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            reasons.Add($"it is not signed by a trusted CA ({chainProblem}; Tls:CaCertificatePath names the CA to trust)");
        return $"TLS: the broker's certificate '{certificate.Subject}' was refused: {string.Join("; and ", reasons)}.";
    }
}
