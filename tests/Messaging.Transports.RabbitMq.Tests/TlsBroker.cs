using System.Text;
using Messaging.Tests.Containers;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// A RabbitMQ container that listens for TLS on 5671 (published on 127.0.0.1) with a server certificate signed by a CA
/// made at test time. Only where Docker runs: against an external or local broker <see cref="Server"/> is null and
/// <see cref="WhyNot"/> says why.
/// </summary>
public sealed class TlsBroker : IAsyncLifetime
{
    public const string User = "tls-user";
    public const string Password = "Tls-S3cret-Pa55";
    private const string Config = """
        listeners.ssl.default = 5671
        ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
        ssl_options.certfile = /etc/rabbitmq/tls/server.pem
        ssl_options.keyfile = /etc/rabbitmq/tls/server.key
        ssl_options.verify = verify_none
        ssl_options.fail_if_no_peer_cert = false
        """;

    public TestCertificates? Certificates { get; private set; }
    public RabbitMqServer? Server { get; private set; }

    /// <summary>Why there is no TLS broker (the reason its tests are skipped with); null when there is one.</summary>
    public string? WhyNot { get; private set; }

    /// <summary><c>amqp://user:password@127.0.0.1:port/</c> for the TLS port (TLS comes from the Tls:* keys).</summary>
    public string TlsUri => $"amqp://{User}:{Password}@127.0.0.1:{Server!.Container!.GetMappedPublicPort(5671)}/";

    public async Task InitializeAsync()
    {
        WhyNot = WhyNoContainer();
        if (WhyNot is not null) return;
        Certificates = await TestCertificates.CreateAsync();
        var certificates = Certificates;
        Server = await RabbitMqServer.StartAsync(b => b.WithUsername(User).WithPassword(Password).WithPortBinding(5671, true)
            .WithResourceMapping(Encoding.UTF8.GetBytes(Config), "/etc/rabbitmq/rabbitmq.conf")
            .WithResourceMapping(new FileInfo(certificates.CaPath), "/etc/rabbitmq/tls/")
            .WithResourceMapping(new FileInfo(certificates.ServerCertificatePath), "/etc/rabbitmq/tls/")
            .WithResourceMapping(new FileInfo(certificates.ServerKeyPath), "/etc/rabbitmq/tls/"));
    }

    /// <summary>Why these tests cannot have a broker container of their own (one configured with TLS); null when they can.</summary>
    internal static string? WhyNoContainer() =>
        Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 }
            ? "needs Docker and MESSAGING_RABBITMQ unset: the test configures a broker container of its own"
            : DockerEngine.Unusable(RabbitMqServer.Image) is { } why ? $"needs Docker: {why}" : null;

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        Certificates?.Dispose();
    }
}
