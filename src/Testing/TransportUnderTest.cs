using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Testing;

/// <summary>One transport from DI with a prepared endpoint bound to a fresh destination; disposing it stops the
/// receive loops and disposes the service provider.</summary>
/// <param name="provider">The container the transport came from; owned.</param>
/// <param name="transport">The transport under test.</param>
/// <param name="endpoint">The prepared endpoint.</param>
/// <param name="destination">The destination bound to it.</param>
public sealed class TransportUnderTest(ServiceProvider provider, IMessageTransport transport, ConsumerEndpoint endpoint, string destination) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The transport under test.</summary>
    public IMessageTransport Transport { get; } = transport;

    /// <summary>The prepared endpoint, bound to <see cref="Destination"/>.</summary>
    public ConsumerEndpoint Endpoint { get; } = endpoint;

    /// <summary>Where the test publishes.</summary>
    public string Destination { get; } = destination;

    /// <summary>Starts the endpoint's receive loop with <paramref name="processor"/>; it runs until
    /// <see cref="StopAsync"/> or disposal.</summary>
    /// <param name="processor">Settles each message (ack, retry later, dead-letter).</param>
    public Task Receive(MessageProcessor processor) => Transport.ReceiveAsync(Endpoint, processor, _stop.Token);

    /// <summary>Stops the receive loops and waits for <paramref name="receiving"/> to end.</summary>
    /// <param name="receiving">What <see cref="Receive"/> returned.</param>
    /// <exception cref="TimeoutException">The loop did not end within 30 s.</exception>
    public async Task StopAsync(Task receiving)
    {
        await _stop.CancelAsync();
        await receiving.WaitAsync(TransportComplianceTests.Deadline);
    }

    /// <summary>Stops the receive loops and disposes the service provider (and with it the transport).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await provider.DisposeAsync();
        _stop.Dispose();
    }
}
