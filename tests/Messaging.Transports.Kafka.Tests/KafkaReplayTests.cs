using Messaging.Testing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaReplayTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Replay_from_a_timestamp_delivers_exactly_the_messages_produced_since_then_again()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "replay");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var before = Enumerable.Range(0, 10).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 3}", i)).ToList();
        await transport.SendBatchAsync(before, CancellationToken.None);
        var replayFrom = before.Max(e => e.Timestamp).AddMilliseconds(1);
        await Eventually.WaitUntilAsync(() => DateTimeOffset.UtcNow > replayFrom, KafkaTestSupport.Deadline, "the clock to pass the replay point");
        var after = Enumerable.Range(10, 15).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 3}", i)).ToList();
        await transport.SendBatchAsync(after, CancellationToken.None);

        var firstRun = await KafkaTestSupport.ConsumeAsync(transport, endpoint, before.Count + after.Count, positions: true);
        var reset = await KafkaTestSupport.ReplayFromAsync(provider, fixture.BootstrapServers, endpoint.Name, topic, replayFrom);
        output.WriteLine($"reset to [{string.Join(", ", reset.Select(o => $"{o.Partition.Value}@{o.Offset.Value}"))}]; first run at [{string.Join(", ", firstRun.Select(KafkaTestSupport.Position).GroupBy(p => p.Partition.Value).Select(g => $"{g.Key}:{g.Min(p => p.Offset.Value)}..{g.Max(p => p.Offset.Value)}"))}]");
        var replayed = await KafkaTestSupport.ConsumeAsync(transport, endpoint, after.Count);

        output.WriteLine($"first run {firstRun.Count} messages; reset to [{string.Join(", ", reset.Select(o => $"{o.Partition.Value}@{o.Offset.Value}"))}]; replay delivered {replayed.Count}, expected {after.Count}");
        Assert.Equal(before.Count + after.Count, firstRun.Count);
        Assert.Equal(after.Select(e => e.MessageId).Order(), replayed.Order());
    }

    [Fact]
    public async Task Replay_from_an_offset_moves_one_partition_back()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "replay-offset");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 6).Select(i => KafkaTestSupport.NewEnvelope(topic, "one-key", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);
        var first = await KafkaTestSupport.ConsumeAsync(transport, endpoint, sent.Count, positions: true);
        var partition = KafkaTestSupport.Position(first[0]).Partition.Value;
        var start = KafkaTestSupport.Position(first[0]).Offset.Value;

        await provider.GetRequiredService<KafkaReplay>().ResetToOffsetAsync(endpoint.Name, topic, partition, start + 4);
        var replayed = await KafkaTestSupport.ConsumeAsync(transport, endpoint, 2);
        Assert.Equal(sent.Skip(4).Select(e => e.MessageId), replayed);
    }
}
