using Messaging.Testing;
using Messaging.Transport;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>TLS against a real broker: the documented Tls:* settings connect; an untrusted CA or a wrong name is refused
/// with one error that says why and holds no secret. Needs Docker: skipped, with the reason, against an external or local broker.</summary>
public sealed class TlsTests(TlsBroker broker) : IClassFixture<TlsBroker>
{
    [SkippableFact]
    public async Task Connects_over_tls_trusting_the_ca_from_the_configured_file()
    {
        Skip.If(broker.WhyNot is not null, broker.WhyNot);
        var (provider, transport) = Transport(broker.Certificates!.CaPath, serverName: "localhost");
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep-tls"), [Names.Unique("tls")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) => { received.TrySetResult(m.Envelope.MessageId); return Task.FromResult(ProcessingResult.Ack); }, stop.Token);
        var envelope = new Envelope { MessageId = Envelope.NewMessageId(), MessageType = "tls.test", Destination = endpoint.Destinations[0], Body = "{}"u8.ToArray() };
        await transport.SendAsync(envelope, CancellationToken.None);
        Assert.Equal(envelope.MessageId, await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await stop.CancelAsync();
        await receiving.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Certificate_from_a_ca_the_client_does_not_trust_is_refused_with_the_reason()
    {
        Skip.If(broker.WhyNot is not null, broker.WhyNot);
        var error = await RefusedAsync(broker.Certificates!.OtherCaPath, serverName: "localhost");
        Assert.Contains("TLS: the broker's certificate 'CN=localhost' was refused: it is not signed by a trusted CA", error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Certificate_without_the_ca_file_is_refused_as_untrusted_by_the_machine()
    {
        Skip.If(broker.WhyNot is not null, broker.WhyNot);
        var error = await RefusedAsync(caPath: null, serverName: "localhost");
        Assert.Contains("it is not signed by a trusted CA", error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Certificate_for_another_name_is_refused_naming_the_expected_name()
    {
        Skip.If(broker.WhyNot is not null, broker.WhyNot);
        var error = await RefusedAsync(broker.Certificates!.CaPath, serverName: "broker.example");
        Assert.Contains("it is not valid for the server name 'broker.example'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not signed by a trusted CA", error, StringComparison.Ordinal);
    }

    /// <summary>The start-up error's message: one sentence with host, port, vhost and the TLS reason, never the password.</summary>
    private async Task<string> RefusedAsync(string? caPath, string serverName)
    {
        var (provider, transport) = Transport(caPath, serverName);
        await using var _ = provider;
        var ex = await Assert.ThrowsAsync<MessagingException>(() => transport.PrepareAsync([], CancellationToken.None));
        Assert.StartsWith("RabbitMQ broker at 127.0.0.1:", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TlsBroker.Password, ex.ToString(), StringComparison.Ordinal);
        return ex.Message;
    }

    private (Microsoft.Extensions.DependencyInjection.ServiceProvider, IMessageTransport) Transport(string? caPath, string serverName) =>
        TestHost.Transport(broker.TlsUri, new Dictionary<string, string?>
        {
            ["Messaging:RabbitMq:Tls:Enabled"] = "true",
            ["Messaging:RabbitMq:Tls:ServerName"] = serverName,
            ["Messaging:RabbitMq:Tls:CaCertificatePath"] = caPath,
        });
}
