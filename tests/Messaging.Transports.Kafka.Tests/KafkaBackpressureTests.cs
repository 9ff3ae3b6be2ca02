using System.Collections.Concurrent;
using System.Diagnostics;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaBackpressureTests(ITestOutputHelper output)
{
    /// <summary>
    /// A handler that runs longer than max.poll.interval.ms must not make the consumer leave its group: its partition is
    /// paused and polling goes on. The first message's handler takes one and a half poll intervals. Session and poll
    /// interval are 6 s (the least session a real broker accepts), so only a polling thread stalled for seconds, not a
    /// GC pause on a loaded machine, could rebalance; what is asserted is what the guarantee is about: no revoke or loss
    /// while the consumer runs, each message handled once in order, the offsets committed.
    /// </summary>
    [Fact]
    public async Task Handler_slower_than_max_poll_interval_causes_no_rebalance_and_each_message_is_handled_once()
    {
        var pollInterval = TimeSpan.FromSeconds(6);
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new()
        {
            ["Messaging:Kafka:SessionTimeoutMs"] = "6000",
            ["Messaging:Kafka:MaxPollIntervalMs"] = "6000",
            ["Messaging:Kafka:MaxBufferedPerPartition"] = "1",
        });
        var events = new EventLog();
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "slow", createTopic: t => cluster.CreateTopic(t, 1), events: events);
        await using var _ = provider;
        var sent = Enumerable.Range(0, 4).Select(i => KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        var handled = new ConcurrentQueue<string>();
        var slowest = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            if (m.Envelope.MessageId == sent[0].MessageId)
            {
                var clock = Stopwatch.StartNew();
                await Task.Delay(pollInterval * 1.5, ct); // the slow handler under test
                slowest = clock.Elapsed;
            }
            handled.Enqueue(m.Envelope.MessageId);
            return ProcessingResult.Ack;
        }, stop.Token);
        try
        {
            await Eventually.WaitUntilAsync(() => handled.Count >= sent.Count, KafkaTestSupport.Deadline, "4 messages, the first one slow");
        }
        finally
        {
            foreach (var e in events.Events) output.WriteLine($"  {e.Id} {e.Text}");
        }
        var (assigned, revoked, lost) = (events.Count(3003), events.Count(3004), events.Count(3005)); // before the stop's own revoke
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        output.WriteLine($"handled {handled.Count} of {sent.Count} (distinct {handled.Distinct().Count()}); slowest handler {slowest.TotalSeconds:0.0} s; while running: assigned {assigned}, revoked {revoked}, lost {lost}; paused {events.Count(3017, "paused")}, resumed {events.Count(3017, "resumed")}");
        Assert.True(slowest > pollInterval, $"the slow handler took {slowest.TotalSeconds:0.0} s, not longer than max.poll.interval.ms");
        Assert.Equal(sent.Select(e => e.MessageId), handled);
        Assert.Equal((1, 0, 0), (assigned, revoked, lost)); // joined once, never rebalanced while it ran
        Assert.True(events.Count(3017, "paused") >= 1, "the busy partition was paused");
        Assert.Equal(new Confluent.Kafka.Offset(4), cluster.Committed(endpoint.Name, endpoint.Destinations[0]));
    }
}
