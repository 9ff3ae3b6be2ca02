using System.Collections.Concurrent;
using Confluent.Kafka;
using Messaging.Transport;
using Xunit;

namespace Messaging.Kafka.Tests;

public sealed class KafkaOffsetTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Offsets_are_not_committed_past_an_unhandled_message()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "offsets");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 3).Select(i => KafkaTestSupport.NewEnvelope(topic, "same-key", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        // First consumer: acks message 0, is stopped while the handler of message 1 still runs.
        var blocked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var firstStop = new CancellationTokenSource();
        var first = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            if (m.Envelope.MessageId == sent[0].MessageId) return ProcessingResult.Ack;
            blocked.TrySetResult(m.Source);
            await Task.Delay(Timeout.Infinite, ct);
            return ProcessingResult.Ack;
        }, firstStop.Token);
        var unfinished = KafkaTestSupport.Position(await blocked.Task.WaitAsync(KafkaTestSupport.Deadline));
        await firstStop.CancelAsync();
        await first.WaitAsync(KafkaTestSupport.Deadline);

        var committed = fixture.Committed(endpoint.Name, unfinished.TopicPartition);
        Assert.Equal(unfinished.Offset, committed); // message 0 committed, message 1 not

        // Second consumer of the group: starts at the unfinished message, in order.
        var received = new ConcurrentQueue<string>();
        using var secondStop = new CancellationTokenSource();
        var second = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            received.Enqueue(m.Envelope.MessageId);
            return Task.FromResult(ProcessingResult.Ack);
        }, secondStop.Token);
        await Testing.Eventually.WaitUntilAsync(() => received.Count >= 2, KafkaTestSupport.Deadline, "messages 1 and 2 again");
        await secondStop.CancelAsync();
        await second.WaitAsync(KafkaTestSupport.Deadline);

        Assert.Equal([sent[1].MessageId, sent[2].MessageId], received);
        Assert.Equal(new Offset(unfinished.Offset.Value + 2), fixture.Committed(endpoint.Name, unfinished.TopicPartition));
    }
}
