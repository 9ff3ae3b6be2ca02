using Messaging.Transport;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>Stands for a dispatcher killed after the broker confirmed but before it marked the rows sent: every send
/// completes on the inner transport, then never returns (not even on cancellation), so the host has to be abandoned.</summary>
public sealed class CrashAfterSendTransport(IMessageTransport inner) : IMessageTransport
{
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => inner.Name;
    public TransportCapabilities Capabilities => inner.Capabilities;
    public TransportHealth Health => inner.Health;

    /// <summary>Completes once a send was confirmed by the inner transport.</summary>
    public Task Sent => _sent.Task;

    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) => inner.PrepareAsync(endpoints, cancellationToken);

    public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        await inner.SendAsync(envelope, cancellationToken);
        await HangAsync();
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        await inner.SendBatchAsync(envelopes, cancellationToken);
        await HangAsync();
    }

    public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken) =>
        inner.ReceiveAsync(endpoint, processor, stoppingToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private Task HangAsync()
    {
        _sent.TrySetResult();
        return new TaskCompletionSource().Task; // the process "died" here
    }
}
