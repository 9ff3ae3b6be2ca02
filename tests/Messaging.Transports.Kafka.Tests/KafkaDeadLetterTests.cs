using System.Collections.Concurrent;
using Confluent.Kafka;
using Messaging.Transport;
using Xunit;

namespace Messaging.Kafka.Tests;

public sealed class KafkaDeadLetterTests(KafkaFixture fixture) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Dead_letter_topic_holds_the_reason_and_partition_moves_on()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "dl");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var poison = KafkaTestSupport.NewEnvelope(topic, "k", 0);
        var next = KafkaTestSupport.NewEnvelope(topic, "k", 1);
        await transport.SendBatchAsync([poison, next], CancellationToken.None);

        var handled = new ConcurrentQueue<IncomingMessage>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            handled.Enqueue(m);
            return Task.FromResult(m.Envelope.MessageId == poison.MessageId
                ? ProcessingResult.DeadLettered(new DeadLetterReason("handler failed after 5 attempt(s)", "System.IO.IOException", "disk on fire", 5))
                : ProcessingResult.Ack);
        }, stop.Token);
        await Testing.Eventually.WaitUntilAsync(() => handled.Count >= 2, KafkaTestSupport.Deadline, "both messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        Assert.Equal([poison.MessageId, next.MessageId], handled.Select(m => m.Envelope.MessageId));
        var poisonSource = handled.First().Source;
        var dead = await Task.Run(() => fixture.ReadFirst(topic + ".dlq", KafkaTestSupport.Deadline));
        Assert.Equal("k", dead.Message.Key);
        Assert.Equal(poison.Body.ToArray(), dead.Message.Value);
        Assert.Equal(poison.MessageId, KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.MessageId));
        Assert.Equal("handler failed after 5 attempt(s)", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterReason));
        Assert.Equal("System.IO.IOException", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterExceptionType));
        Assert.Equal("disk on fire", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterExceptionMessage));
        Assert.Equal("5", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterAttempts));
        Assert.Equal(topic, KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterOriginalDestination));
        Assert.Equal(poisonSource, KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterSource));

        // The partition moved on: both offsets are committed.
        var last = KafkaTestSupport.Position(handled.Last().Source);
        Assert.Equal(new Offset(last.Offset.Value + 1), fixture.Committed(endpoint.Name, last.TopicPartition));
    }

    [Fact]
    public async Task Record_without_message_id_is_dead_lettered_at_once()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "raw");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        await KafkaTestSupport.ProduceRawAsync(fixture.BootstrapServers, topic, "k", [42]);
        var wellFormed = KafkaTestSupport.NewEnvelope(topic, "k", 1);
        await transport.SendAsync(wellFormed, CancellationToken.None);

        var handled = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, Testing.UnreadableMessages.DeadLetteredBefore((m, _) =>
        {
            handled.Enqueue(m.Envelope.MessageId);
            return Task.FromResult(ProcessingResult.Ack);
        }), stop.Token);
        await Testing.Eventually.WaitUntilAsync(() => !handled.IsEmpty, KafkaTestSupport.Deadline, "the well-formed message");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        Assert.Equal([wellFormed.MessageId], handled); // no handler saw the unreadable record
        var dead = await Task.Run(() => fixture.ReadFirst(topic + ".dlq", KafkaTestSupport.Deadline));
        Assert.Equal([42], dead.Message.Value);
        Assert.Contains("no message-id header", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterReason), StringComparison.Ordinal);
        Assert.Equal("0", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterAttempts));
    }

    [Fact]
    public async Task Record_with_a_header_that_is_not_utf8_is_dead_lettered_as_it_came_and_the_next_one_is_handled()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "utf8");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var badId = Envelope.NewMessageId();
        byte[] notUtf8 = [0x61, 0xC3, 0x28];
        var headers = new Headers { { HeaderNames.MessageId, System.Text.Encoding.UTF8.GetBytes(badId) }, { "tenant", notUtf8 } };
        await KafkaTestSupport.ProduceRawAsync(fixture.BootstrapServers, topic, "k", [7], headers); // same partition, before the next one
        var wellFormed = KafkaTestSupport.NewEnvelope(topic, "k", 1);
        await transport.SendAsync(wellFormed, CancellationToken.None);

        var handled = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, Testing.UnreadableMessages.DeadLetteredBefore((m, _) =>
        {
            handled.Enqueue(m.Envelope.MessageId);
            return Task.FromResult(ProcessingResult.Ack);
        }), stop.Token);
        await Testing.Eventually.WaitUntilAsync(() => !handled.IsEmpty, KafkaTestSupport.Deadline, "the well-formed message");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        Assert.Equal([wellFormed.MessageId], handled); // no handler saw the record with the bad header
        var dead = await Task.Run(() => fixture.ReadFirst(topic + ".dlq", KafkaTestSupport.Deadline));
        Assert.Contains("header 'tenant' is not valid UTF-8", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterReason), StringComparison.Ordinal);
        Assert.True(dead.Message.Headers.TryGetLastBytes("tenant", out var kept));
        Assert.Equal(notUtf8, kept); // parked as it came, not with replacement characters
        Assert.Equal(badId, KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.MessageId));
    }
}
