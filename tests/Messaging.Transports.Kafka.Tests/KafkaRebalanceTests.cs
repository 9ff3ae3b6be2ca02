using System.Collections.Concurrent;
using Messaging.Compliance;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaRebalanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("CooperativeSticky")]
    [InlineData("Range")]
    public async Task Second_consumer_joining_mid_stream_loses_nothing_and_duplicates_are_absorbed(string strategy)
    {
        const int total = 2000;
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new()
        {
            ["Messaging:Kafka:PartitionAssignmentStrategy"] = strategy,
            ["Messaging:Kafka:CommitMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = "4",
        });
        var eventsA = new EventLog();
        var eventsB = new EventLog();
        var (providerA, transportA, endpoint) = await KafkaTestSupport.StartAsync(settings, "rebalance", createTopic: t => cluster.Mock.CreateTopic(t, 6), events: eventsA);
        await using var _ = providerA;
        var (providerB, transportB, _) = await KafkaTestSupport.StartAsync(settings, "unused", events: eventsB);
        await using var __ = providerB;
        var topic = endpoint.Destinations[0];

        var seen = new ConcurrentDictionary<string, int>(); // the dedup set: message id -> deliveries
        var byConsumer = new int[2];
        MessageProcessor Handler(int consumer) => async (m, ct) =>
        {
            await Task.Delay(1, ct);
            seen.AddOrUpdate(m.Envelope.MessageId, 1, (_, n) => n + 1);
            Interlocked.Increment(ref byConsumer[consumer]);
            return ProcessingResult.Ack;
        };
        using var stop = new CancellationTokenSource();
        var receivingA = transportA.ReceiveAsync(endpoint, Handler(0), stop.Token);
        var sent = Enumerable.Range(0, total).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 40}", i)).ToList();
        var producing = Task.Run(async () =>
        {
            foreach (var chunk in sent.Chunk(25))
            {
                await transportA.SendBatchAsync(chunk, CancellationToken.None);
                await Task.Delay(100);
            }
        });
        await Eventually.WaitUntilAsync(() => seen.Count >= total / 4, KafkaTestSupport.Deadline, "a quarter of the stream");
        var receivingB = transportB.ReceiveAsync(endpoint, Handler(1), stop.Token); // joins mid-stream: rebalance
        await producing.WaitAsync(KafkaTestSupport.Deadline);
        await Eventually.WaitUntilAsync(() => seen.Count >= total, TimeSpan.FromSeconds(60), "every message");
        await stop.CancelAsync();
        await Task.WhenAll(receivingA, receivingB).WaitAsync(KafkaTestSupport.Deadline);

        var lost = sent.Count(e => !seen.ContainsKey(e.MessageId));
        var duplicates = seen.Values.Sum(n => n - 1);
        output.WriteLine($"{strategy}: sent {total}, handled {byConsumer.Sum()} (A {byConsumer[0]}, B {byConsumer[1]}), distinct {seen.Count}, lost {lost}, duplicates absorbed by the dedup set {duplicates}; " +
            $"A revokes {eventsA.Count(3004)} assigns {eventsA.Count(3003)} lost {eventsA.Count(3005)}, B assigns {eventsB.Count(3003)}");
        foreach (var e in eventsA.Events.Concat(eventsB.Events).Where(e => e.Id is 3006 or 3011 or 3014)) output.WriteLine($"  {e.Id} {e.Text}");
        Assert.Equal(0, lost);
        Assert.True(byConsumer[1] > 0, "the second consumer got partitions");
        Assert.Equal(0, eventsA.Count(3005) + eventsB.Count(3005));
    }
}
