using System.Net.Security;
using Messaging.Testing;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

public sealed class SecurityTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    [Fact]
    public void Tls_settings_map_to_the_client_ssl_option()
    {
        var tls = new RabbitMqTlsOptions
        {
            Enabled = true, ServerName = "broker.internal", CertificatePath = "/certs/client.pfx", CertificatePassphrase = "pfx-secret",
            AcceptablePolicyErrors = SslPolicyErrors.RemoteCertificateNameMismatch,
        };
        var ssl = RabbitMqTls.ToSslOption(tls, "10.0.0.5", new SslOption());
        Assert.True(ssl.Enabled);
        Assert.Equal("broker.internal", ssl.ServerName);
        Assert.Equal("/certs/client.pfx", ssl.CertPath);
        Assert.Equal("pfx-secret", ssl.CertPassphrase);
        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, ssl.AcceptablePolicyErrors);
        Assert.Equal("10.0.0.5", RabbitMqTls.ToSslOption(new RabbitMqTlsOptions { Enabled = true }, "10.0.0.5", new SslOption()).ServerName);
        Assert.False(RabbitMqTls.ToSslOption(new RabbitMqTlsOptions(), "h", new SslOption()).Enabled);
    }

    [Fact]
    public async Task Separate_password_key_is_used_and_never_shown_when_refused()
    {
        const string password = "Separate-K3y-Secret";
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:UserName"] = "guest",
            ["Messaging:RabbitMq:Password"] = password,
        });
        await using var _ = provider;
        var ex = await Assert.ThrowsAsync<MessagingException>(() => transport.PrepareAsync([], CancellationToken.None));
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Connection_shows_the_service_name()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var service = Names.Unique("orders-svc");
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?> { ["Messaging:Endpoint"] = service });
        await using var _ = provider;
        await transport.PrepareAsync([], CancellationToken.None);
        Assert.Contains(service, await broker.Control.ListConnectionNamesAsync(), StringComparison.Ordinal);
    }
}
