using Messaging;
using Messaging.Hosting;
using Messaging.Testing;
using Messaging.Transport;

namespace Spool.Tests;

/// <summary>Runs Messaging's whole compliance suite against the spool transport: the transport claims
/// UnroutableDetection, so the suite with that test.</summary>
public sealed class SpoolCompliance(SpoolFixture fixture) : UnroutableDetectionCompliance<SpoolFixture>(fixture);

/// <summary>A spool in a temporary folder for the test class, deleted after it.</summary>
public sealed class SpoolFixture : ITransportFixture
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), Names.Unique("spool"));

    public string TransportName => SpoolTransport.TransportName;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Messaging:Spool:Root"] = _root };

    public void Register(MessagingBuilder builder) => builder.AddSpool();

    public async Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout)
    {
        var spool = (SpoolTransport)transport;
        Envelope? dead = null;
        await Eventually.WaitUntilAsync(() => (dead = spool.ReadDeadLetters(endpoint).FirstOrDefault()) is not null, timeout,
            $"a dead letter of {destination} in {endpoint}.dlq");
        return dead!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
