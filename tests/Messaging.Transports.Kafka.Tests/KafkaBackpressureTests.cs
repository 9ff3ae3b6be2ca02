using System.Collections.Concurrent;
using Messaging.Compliance;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaBackpressureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Handler_slower_than_max_poll_interval_causes_no_rebalance_and_each_message_is_handled_once()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new()
        {
            ["Messaging:Kafka:SessionTimeoutMs"] = "2000",
            ["Messaging:Kafka:MaxPollIntervalMs"] = "2000",
            ["Messaging:Kafka:MaxBufferedPerPartition"] = "1",
        });
        var events = new EventLog();
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "slow", createTopic: t => cluster.CreateTopic(t, 1), events: events);
        await using var _ = provider;
        var sent = Enumerable.Range(0, 4).Select(i => KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        var handled = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2600), ct); // longer than max.poll.interval.ms
            handled.Enqueue(m.Envelope.MessageId);
            return ProcessingResult.Ack;
        }, stop.Token);
        try
        {
            await Eventually.WaitUntilAsync(() => handled.Count >= sent.Count, KafkaTestSupport.Deadline, "4 slow messages");
        }
        finally
        {
            foreach (var e in events.Events) output.WriteLine($"  {e.Id} {e.Text}");
        }
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        output.WriteLine($"handled {handled.Count} of {sent.Count} (distinct {handled.Distinct().Count()}); assigned {events.Count(3003)}, revoked {events.Count(3004)}, lost {events.Count(3005)}, paused {events.Count(3017, "paused")}, resumed {events.Count(3017, "resumed")}");
        Assert.Equal(sent.Select(e => e.MessageId), handled);
        Assert.Equal(1, events.Count(3003)); // assigned once: no rebalance loop
        Assert.Equal(0, events.Count(3005));
        Assert.Equal(1, events.Count(3004)); // only the final revoke at shutdown
        Assert.True(events.Count(3017, "paused") >= 1, "the busy partition was paused");
        Assert.Equal(new Confluent.Kafka.Offset(4), cluster.Committed(endpoint.Name, endpoint.Destinations[0]));
    }
}
