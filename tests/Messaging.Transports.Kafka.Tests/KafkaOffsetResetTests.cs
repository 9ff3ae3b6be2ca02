using System.Collections.Concurrent;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>Where a new consumer group starts on a topic that already holds records (Messaging:Kafka:AutoOffsetReset).</summary>
public sealed class KafkaOffsetResetTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Theory]
    [InlineData(null, true)]      // default Earliest: what was published before the group existed too
    [InlineData("Latest", false)] // only what is published after it joined
    public async Task A_new_group_starts_where_AutoOffsetReset_says(string? reset, bool readsEarlierRecords)
    {
        var extra = new Dictionary<string, string?> { ["Messaging:Kafka:AutoOffsetReset"] = reset };
        var events = new EventLog();
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture.Settings, "reset", extra, events: events);
        await using var _ = provider;
        await transport.SendAsync(KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", 1), CancellationToken.None);
        var handled = new ConcurrentQueue<int>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            handled.Enqueue(BitConverter.ToInt32(m.Envelope.Body.Span));
            return Task.FromResult(ProcessingResult.Ack);
        }, stop.Token);
        // Later records are published once the group holds the partition, one every 200 ms until one is handled: the
        // consumer looks up "latest" after the assignment, so a record published right then may fall before it.
        await Eventually.WaitUntilAsync(() => events.Count(3003, endpoint.Name) > 0, KafkaTestSupport.Deadline, "the partitions assigned");
        for (var sequence = 2; !handled.Any(h => h >= 2); sequence++)
        {
            Assert.True(sequence < 150, "no record published after the group joined was handled");
            await transport.SendAsync(KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", sequence), CancellationToken.None);
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);
        Assert.Equal(readsEarlierRecords, handled.Contains(1));
    }
}
