using Messaging.Eng.KafkaMock;

namespace Messaging.Kafka.Tests;

/// <summary>A mock cluster owned by one test, so its fault injection never disturbs other tests.</summary>
internal sealed class PrivateCluster : IDisposable
{
    private PrivateCluster(MockCluster mock) => Mock = mock;

    public MockCluster Mock { get; }

    public Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Kafka:BootstrapServers"] = Mock.BootstrapServers,
            ["Messaging:Kafka:SessionTimeoutMs"] = "6000",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return settings;
    }

    public static PrivateCluster Start() => new(MockCluster.Start());

    public void Dispose() => Mock.Dispose();
}
