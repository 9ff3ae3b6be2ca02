using System.Collections.Concurrent;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaParallelTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Key_lanes_run_in_parallel_keep_per_key_order_and_commit_every_partition_to_its_end()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture.Settings, "lanes", new Dictionary<string, string?>
        {
            ["Messaging:Kafka:OrderingMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = "8",
        });
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 400).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 16}", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        var received = new ConcurrentQueue<IncomingMessage>();
        int running = 0, maxRunning = 0;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(Random.Shared.Next(0, 4), ct);
            received.Enqueue(m);
            Interlocked.Decrement(ref running);
            return ProcessingResult.Ack;
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => received.Count >= sent.Count, KafkaTestSupport.Deadline, "400 messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        output.WriteLine($"received {received.Count}, distinct {received.Select(m => m.Envelope.MessageId).Distinct().Count()}, most handlers at once {maxRunning}");
        Assert.Equal(sent.Count, received.Count);
        Assert.InRange(maxRunning, 2, 8);
        foreach (var key in sent.Select(e => e.PartitionKey).Distinct())
            Assert.Equal(sent.Where(e => e.PartitionKey == key).Select(e => e.MessageId),
                         received.Where(m => m.Envelope.PartitionKey == key).Select(m => m.Envelope.MessageId));
        foreach (var partition in received.Select(m => KafkaTestSupport.Position(m.Source)).GroupBy(p => p.TopicPartition))
            Assert.Equal(new Offset(partition.Max(p => p.Offset.Value) + 1), fixture.Committed(endpoint.Name, partition.Key));
    }

    [Fact]
    public async Task Partition_order_runs_partitions_in_parallel_but_each_partition_one_record_at_a_time()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new() { ["Messaging:Kafka:MaxConcurrency"] = "4" });
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "partitions", createTopic: t => cluster.CreateTopic(t, 4));
        await using var _ = provider;
        var sent = Enumerable.Range(0, 200).Select(i => KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], $"key-{i % 20}", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        var perPartition = new ConcurrentDictionary<int, int>();
        var received = new ConcurrentQueue<IncomingMessage>();
        int running = 0, maxRunning = 0, overlapsInAPartition = 0;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            var partition = KafkaTestSupport.Position(m.Source).Partition.Value;
            if (perPartition.AddOrUpdate(partition, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlapsInAPartition);
            InterlockedMax(ref maxRunning, Interlocked.Increment(ref running));
            await Task.Delay(2, ct);
            received.Enqueue(m);
            Interlocked.Decrement(ref running);
            perPartition.AddOrUpdate(partition, 0, (_, n) => n - 1);
            return ProcessingResult.Ack;
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => received.Count >= sent.Count, KafkaTestSupport.Deadline, "200 messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        output.WriteLine($"received {received.Count}; most handlers at once {maxRunning}; overlaps within one partition {overlapsInAPartition}");
        Assert.Equal(0, overlapsInAPartition);
        Assert.InRange(maxRunning, 2, 4);
        foreach (var partition in received.GroupBy(m => KafkaTestSupport.Position(m.Source).Partition.Value))
            Assert.Equal(partition.Select(m => KafkaTestSupport.Position(m.Source).Offset.Value).Order(), partition.Select(m => KafkaTestSupport.Position(m.Source).Offset.Value));
    }

    [Fact]
    public async Task An_unfinished_record_holds_the_commit_while_later_keys_finish_and_only_it_and_later_are_redelivered()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new()
        {
            ["Messaging:Kafka:OrderingMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = "4",
        });
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "hold", createTopic: t => cluster.CreateTopic(t, 1));
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var first = KafkaTestSupport.NewEnvelope(topic, "a", 0);
        var slow = KafkaTestSupport.NewEnvelope(topic, "slow", 1);
        var later = Enumerable.Range(2, 20).Select(i => KafkaTestSupport.NewEnvelope(topic, $"k{i % 5}", i)).ToList();
        await transport.SendBatchAsync([first, slow, .. later], CancellationToken.None);

        var handled = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            if (m.Envelope.MessageId == slow.MessageId) await Task.Delay(Timeout.Infinite, ct);
            handled.Enqueue(m.Envelope.MessageId);
            return ProcessingResult.Ack;
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => handled.Count >= 21, KafkaTestSupport.Deadline, "every message but the slow one");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        var committed = cluster.Committed(endpoint.Name, topic);
        Assert.Equal(new Offset(1), committed); // past `first`, never past `slow`

        var again = new ConcurrentQueue<string>();
        using var stop2 = new CancellationTokenSource();
        var second = transport.ReceiveAsync(endpoint, (m, _) => { again.Enqueue(m.Envelope.MessageId); return Task.FromResult(ProcessingResult.Ack); }, stop2.Token);
        await Eventually.WaitUntilAsync(() => again.Count >= 21, KafkaTestSupport.Deadline, "the redelivery");
        await stop2.CancelAsync();
        await second.WaitAsync(KafkaTestSupport.Deadline);
        output.WriteLine($"first run handled {handled.Count} of 22 (slow one cancelled), committed {committed.Value}; redelivered {again.Count}: the slow one + {again.Count - 1} later ones that had finished");
        Assert.Equal(later.Select(e => e.MessageId).Append(slow.MessageId).Order(), again.Order());
        Assert.Equal(new Offset(22), cluster.Committed(endpoint.Name, topic));
    }

    internal static Offset Committed(PrivateCluster cluster, string group, string topic, int partition = 0)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = group })
            .SetLogHandler((_, _) => { }).Build();
        return consumer.Committed([new TopicPartition(topic, partition)], TimeSpan.FromSeconds(10)).Single().Offset;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
