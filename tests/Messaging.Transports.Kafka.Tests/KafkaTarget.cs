using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Messaging.Kafka.Tests;

/// <summary>
/// Which Kafka the tests run against, decided in one place: the real cluster whose bootstrap servers MESSAGING_KAFKA
/// names, else librdkafka's mock cluster. Faults only the mock can inject are skipped on a real cluster with
/// <see cref="MockOnlyReason"/>, never run without their fault.
/// </summary>
internal static class KafkaTarget
{
    public const string Variable = "MESSAGING_KAFKA";

    /// <summary>The real cluster's bootstrap servers, or null when the tests use the mock cluster.</summary>
    public static string? RealBootstrapServers() => RealBootstrapServers(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The real cluster's bootstrap servers from a value of MESSAGING_KAFKA (null or blank: the mock).</summary>
    public static string? RealBootstrapServers(string? variable) => string.IsNullOrWhiteSpace(variable) ? null : variable.Trim();

    /// <summary>Why a test that needs the mock's fault injection is skipped on a real cluster.</summary>
    public static string MockOnlyReason(string fault) => $"needs librdkafka's mock cluster for {fault}; {Variable} names a real cluster";

    /// <summary>Messaging:Kafka:SessionTimeoutMs for the tests. The mock makes a member that joins right after the last one
    /// left wait session.timeout.ms - 1 s, so 2 s keeps those joins short; a real broker refuses less than its
    /// group.min.session.timeout.ms (6 s by default).</summary>
    public static string SessionTimeoutMs(bool mock) => mock ? "2000" : "6000";

    /// <summary>Creates a topic on a real cluster (its default replication factor) and waits until every partition has a leader.</summary>
    public static void CreateTopic(string bootstrapServers, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = -1 }]).GetAwaiter().GetResult();
        var deadline = DateTime.UtcNow + KafkaTestSupport.Deadline;
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
            if (!metadata.Error.IsError && metadata.Partitions.Count == partitions && metadata.Partitions.All(p => p.Leader >= 0)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"topic {topic} has no leader for each of its {partitions} partitions after {KafkaTestSupport.Deadline.TotalSeconds:0} s");
            Thread.Sleep(100); // metadata propagation; polled with a deadline
        }
    }

    /// <summary>The committed offset of a consumer group on one partition (Offset.Unset when none).</summary>
    public static Offset Committed(string bootstrapServers, string group, TopicPartition partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group })
            .SetLogHandler((_, _) => { }).Build();
        return consumer.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset;
    }
}
