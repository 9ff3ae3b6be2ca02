using Confluent.Kafka;
using Messaging.Testing;
using Xunit;

namespace Messaging.Kafka.Tests;

public sealed class KafkaFixtureTests
{
    private const short FetchApi = 1;
    private const int TopicAuthorizationFailed = 29;

    /// <summary>The fixture's reader waits while a topic is not there yet, but any other consume error ends the wait at
    /// once with its own reason, instead of a timeout that names the wrong cause.</summary>
    [SkippableFact]
    public async Task The_dead_letter_reader_fails_at_once_with_the_brokers_error_unless_the_topic_is_only_missing()
    {
        using var cluster = PrivateCluster.StartMock("Fetch errors pushed");
        var topic = Names.Unique("reader");
        cluster.CreateTopic(topic, 1);
        await KafkaTestSupport.ProduceRawAsync(cluster.BootstrapServers, topic, "k", [1]);
        cluster.Mock.PushRequestErrors(FetchApi, [.. Enumerable.Repeat(TopicAuthorizationFailed, 100)]);
        var started = DateTime.UtcNow;
        var error = Assert.Throws<ConsumeException>(() => KafkaFixture.ReadFirst(cluster.BootstrapServers, topic, TimeSpan.FromSeconds(20)));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, error.Error.Code);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), $"the error came after {(DateTime.UtcNow - started).TotalSeconds:0} s");
    }
}
