using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>The switch between a real cluster (MESSAGING_KAFKA) and the mock, without a real cluster: the variable's value is
/// passed in, so nothing here depends on this machine's environment.</summary>
public sealed class KafkaTargetTests
{
    private const string RealCluster = "broker-1.example:9092,broker-2.example:9092";

    [Fact]
    public void A_test_needing_no_fault_runs_on_the_real_cluster_MESSAGING_KAFKA_names_with_a_session_its_brokers_accept()
    {
        using var cluster = PrivateCluster.Start(KafkaTarget.RealBootstrapServers(RealCluster));
        Assert.False(cluster.IsMock);
        Assert.Equal(RealCluster, cluster.BootstrapServers);
        Assert.Equal(RealCluster, cluster.Settings()["Messaging:Kafka:BootstrapServers"]);
        Assert.Equal("6000", cluster.Settings()["Messaging:Kafka:SessionTimeoutMs"]); // group.min.session.timeout.ms
    }

    [Fact]
    public void A_test_needing_a_mock_fault_is_skipped_on_a_real_cluster_with_its_reason()
    {
        var skipped = Assert.Throws<Xunit.SkipException>(() => PrivateCluster.StartMock("every broker taken down and up", KafkaTarget.RealBootstrapServers(RealCluster)));
        Assert.Equal("needs librdkafka's mock cluster for every broker taken down and up; MESSAGING_KAFKA names a real cluster", skipped.Message);
    }

    [Fact]
    public void Fault_injection_on_a_real_cluster_fails_loudly_rather_than_running_the_test_without_its_fault()
    {
        using var cluster = PrivateCluster.Start(RealCluster);
        var error = Assert.Throws<InvalidOperationException>(() => cluster.Mock);
        Assert.Contains("PrivateCluster.StartMock", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_MESSAGING_KAFKA_each_test_gets_a_mock_cluster_of_its_own(string? variable)
    {
        using var first = PrivateCluster.Start(KafkaTarget.RealBootstrapServers(variable));
        using var second = PrivateCluster.StartMock("a fault", KafkaTarget.RealBootstrapServers(variable));
        Assert.True(first.IsMock && second.IsMock);
        Assert.NotEqual(first.BootstrapServers, second.BootstrapServers);
        Assert.Equal("2000", first.Settings()["Messaging:Kafka:SessionTimeoutMs"]);
    }
}
