using Messaging.Testing;
using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Transport;

namespace Messaging.Tests;

public sealed class InMemoryFixture : ITransportFixture
{
    public string TransportName => "InMemory";
    public IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();
    public void Register(MessagingBuilder builder) { } // always registered by AddMessaging

    public async Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout)
    {
        var memory = (InMemoryTransport)transport;
        await Eventually.WaitUntilAsync(() => memory.DeadLetters(endpoint).Any(e => e.Destination == destination), timeout, "a dead letter");
        return memory.DeadLetters(endpoint).First(e => e.Destination == destination);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class InMemoryCompliance(InMemoryFixture fixture) : UnroutableDetectionCompliance<InMemoryFixture>(fixture);
