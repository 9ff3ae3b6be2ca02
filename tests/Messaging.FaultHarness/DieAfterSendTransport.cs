using System.Diagnostics;
using Messaging.Hosting;
using Messaging.Transport;

namespace Messaging.FaultHarness;

/// <summary>
/// Kills its own process (SIGKILL) right after the broker confirmed the N-th send: the dispatcher dies
/// between publish and mark-sent, so the rows are sent again after the restart.
/// </summary>
public sealed class DieAfterSendTransport(IMessageTransport inner, int sendsBeforeDeath) : IMessageTransport
{
    private int _sends;

    public static void Wrap(MessagingBuilder messaging, string transport, int sendsBeforeDeath)
    {
        var original = messaging.Services.Select(d => d.ImplementationInstance).OfType<TransportRegistration>()
            .Last(r => string.Equals(r.Name, transport, StringComparison.OrdinalIgnoreCase));
        messaging.AddTransport(original.Name, sp => new DieAfterSendTransport(original.Factory(sp), sendsBeforeDeath));
    }

    public string Name => inner.Name;
    public TransportCapabilities Capabilities => inner.Capabilities;
    public TransportHealth Health => inner.Health;
    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken ct) => inner.PrepareAsync(endpoints, ct);
    public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken ct) => inner.ReceiveAsync(endpoint, processor, ct);
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public async Task SendAsync(Envelope envelope, CancellationToken ct)
    {
        await inner.SendAsync(envelope, ct);
        Counted();
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken ct)
    {
        await inner.SendBatchAsync(envelopes, ct);
        Counted();
    }

    private void Counted()
    {
        if (Interlocked.Increment(ref _sends) < sendsBeforeDeath) return;
        Console.Error.WriteLine($"harness: dying after {_sends} confirmed send(s), before mark-sent");
        Process.GetCurrentProcess().Kill(); // SIGKILL: no shutdown, no mark-sent
    }
}
