using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>An in-memory transport whose broker can be taken away: while down, its health says so and every send fails
/// with <see cref="PublishFailure.BrokerUnavailable"/>, as the real transports do during an outage.</summary>
public sealed class SwitchableTransport : IMessageTransport
{
    private readonly Messaging.InMemory.InMemoryTransport _inner = new();
    private volatile bool _down;

    public string Name => "Switchable";
    public TransportCapabilities Capabilities => _inner.Capabilities;
    public TransportHealth Health { get; } = new("Switchable", NullLogger.Instance);
    public int SendsWhileDown;

    public void GoDown()
    {
        _down = true;
        Health.ReportUnavailable("test broker taken down");
    }

    public void ComeBack()
    {
        _down = false;
        Health.ReportAvailable();
    }

    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) => _inner.PrepareAsync(endpoints, cancellationToken);

    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        Fail(envelope);
        return _inner.SendAsync(envelope, cancellationToken);
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        if (_down)
        {
            Interlocked.Add(ref SendsWhileDown, envelopes.Count);
            throw new BatchPublishException([.. envelopes.Select(Unavailable)]);
        }
        await _inner.SendBatchAsync(envelopes, cancellationToken);
    }

    public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken) => _inner.ReceiveAsync(endpoint, processor, stoppingToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private void Fail(Envelope envelope)
    {
        if (!_down) return;
        Interlocked.Increment(ref SendsWhileDown);
        throw Unavailable(envelope);
    }

    private static PublishException Unavailable(Envelope envelope) =>
        new(PublishFailure.BrokerUnavailable, envelope.Destination, envelope.MessageId, "test broker taken down");
}
