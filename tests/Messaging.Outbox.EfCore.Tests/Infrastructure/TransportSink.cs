using System.Collections.Concurrent;
using Messaging.Transport;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>A bare consumer on a transport: records every envelope it receives (in arrival order) and acks it.</summary>
public sealed class TransportSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    private TransportSink(IMessageTransport transport, ConsumerEndpoint endpoint)
    {
        _receiving = transport.ReceiveAsync(endpoint, (message, _) =>
        {
            Received.Enqueue(message.Envelope);
            return Task.FromResult(ProcessingResult.Ack);
        }, _stop.Token);
    }

    public ConcurrentQueue<Envelope> Received { get; } = new();

    public static async Task<TransportSink> StartAsync(IMessageTransport transport, string endpoint, params string[] destinations)
    {
        var consumer = new ConsumerEndpoint(endpoint, destinations);
        await transport.PrepareAsync([consumer], CancellationToken.None);
        return new TransportSink(transport, consumer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiving;
        _stop.Dispose();
    }
}
