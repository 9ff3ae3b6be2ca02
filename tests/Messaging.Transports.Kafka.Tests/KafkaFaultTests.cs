using System.Collections.Concurrent;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Kafka.Consuming;
using Messaging.Publishing;
using Messaging.Transport;
using Messaging.Eng.KafkaMock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

/// <summary>Faults injected into a mock cluster owned by each test (brokers down, request errors, a killed consumer).</summary>
public sealed class KafkaFaultTests(ITestOutputHelper output)
{
    private const short ProduceApi = 0;
    private const int NotLeaderForPartition = 6, RequestTimedOut = 7, NotEnoughReplicas = 19, NotEnoughReplicasAfterAppend = 20;

    /// <summary>Broker 1, then broker 2, down while a batch is in flight, and Produce errors pushed onto every partition's
    /// leader: every record is confirmed exactly once. The faults are shown to have hit the producer: it lost each broker
    /// (its connection failures, logged at Debug) while a batch waited for it, and every pushed error was answered to one of
    /// its Produce requests, which it then sent again.</summary>
    [SkippableFact]
    public async Task Brokers_down_and_up_and_produce_errors_leave_no_duplicate_and_no_loss_in_the_topic()
    {
        using var cluster = PrivateCluster.StartMock("brokers taken down and up and Produce errors pushed onto the partition leaders");
        var mock = cluster.Mock;
        var events = new EventLog(LogLevel.Debug); // the producer's broker connection failures are logged at Debug
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(cluster.Settings(), "faults", createTopic: t =>
        {
            mock.CreateTopic(t, 3);
            for (var partition = 0; partition < 3; partition++) mock.SetPartitionLeader(t, partition, partition + 1); // each broker leads one
        }, events: events);
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 1000).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 30}", i)).ToList();
        var batches = sent.Chunk(50).ToList();
        int confirmed = 0, failed = 0, pushed = 0;
        for (var i = 0; i < batches.Count; i++)
        {
            var down = i switch { 4 => 1, 8 => 2, _ => 0 };
            if (down > 0) mock.SetBrokerDown(down);
            if (i == 6)
            {
                foreach (var broker in new[] { 1, 2, 3 })
                    foreach (var error in new[] { NotLeaderForPartition, RequestTimedOut, NotEnoughReplicas, NotEnoughReplicasAfterAppend })
                    {
                        mock.PushBrokerRequestError(broker, ProduceApi, error, rttMs: 0);
                        pushed++;
                    }
                Assert.Equal(pushed, new[] { 1, 2, 3 }.Sum(broker => mock.BrokerErrorsLeft(broker, ProduceApi)));
            }
            var sending = transport.SendBatchAsync(batches[i], CancellationToken.None);
            if (down > 0)
            {
                await Eventually.WaitUntilAsync(() => ConnectionFailures(events, down) > 0, KafkaTestSupport.Deadline, $"the producer to lose broker {down}");
                Assert.False(sending.IsCompleted, $"batch {i} has records for the partition broker {down} leads, so it waits for the broker");
                mock.SetBrokerUp(down);
            }
            try
            {
                await sending;
                confirmed += batches[i].Length;
            }
            catch (BatchPublishException ex)
            {
                failed += ex.Failures.Count;
                confirmed += batches[i].Length - ex.Failures.Count;
            }
        }

        var read = await Task.Run(() => ReadAll(cluster.BootstrapServers, topic, sent.Count));
        var distinct = read.Distinct().Count();
        var errorsLeft = new[] { 1, 2, 3 }.Sum(broker => mock.BrokerErrorsLeft(broker, ProduceApi));
        output.WriteLine($"sent {sent.Count}: confirmed {confirmed}, failed {failed}; read back {read.Count} records, {distinct} distinct message ids, duplicates {read.Count - distinct}, lost {sent.Count(e => !read.Contains(e.MessageId))}; " +
            $"producer connection failures to broker 1: {ConnectionFailures(events, 1)}, broker 2: {ConnectionFailures(events, 2)}; pushed Produce errors {pushed}, not taken {errorsLeft}");
        Assert.Equal(0, errorsLeft); // every pushed error refused a Produce request...
        Assert.Equal(sent.Count, confirmed); // ...whose records were sent again and confirmed
        Assert.Equal(sent.Count, read.Count);
        Assert.Equal(sent.Select(e => e.MessageId).Order(), read.Order());
    }

    /// <summary>
    /// Request A fails with a retriable error while request B, sent after it, is appended. A broker that checks the
    /// idempotent producer's sequence numbers rejects B (OUT_OF_ORDER_SEQUENCE_NUMBER); the mock does not, and librdkafka
    /// then acknowledges A's messages implicitly with B's success (rd_kafka_dr_implicit_ack) although they were never
    /// written. Such a report carries no offset, and must not count as confirmed. The race is set up on the mock's request
    /// log, not by timing: A takes the pushed error and its refusal is held back until B has reached the broker.
    /// </summary>
    [SkippableFact]
    public async Task A_message_acknowledged_only_implicitly_is_not_confirmed()
    {
        const int Leader = 1, RefusalHeldMs = 1500;
        using var cluster = PrivateCluster.StartMock("a Produce error pushed onto a broker with its response held back (RTT)");
        var mock = cluster.Mock;
        var topic = "implicit-ack-" + Guid.NewGuid().ToString("N")[..8];
        mock.CreateTopic(topic, 1);
        mock.SetPartitionLeader(topic, 0, Leader);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers };
        var first = KafkaTestSupport.NewEnvelope(topic, "key-a", 1);
        var second = KafkaTestSupport.NewEnvelope(topic, "key-b", 2);
        await using (var sender = new KafkaSender(options, KafkaTestSupport.Events(), TimeProvider.System, NullLogger.Instance))
        {
            await sender.SendAsync(KafkaTestSupport.NewEnvelope(topic, "key-0", 0), CancellationToken.None); // producer id and leader known
            mock.StartRequestTracking();
            mock.PushBrokerRequestError(Leader, ProduceApi, NotEnoughReplicas, RefusalHeldMs);
            Assert.Equal(1, mock.BrokerErrorsLeft(Leader, ProduceApi));
            var sendingFirst = sender.SendAsync(first, CancellationToken.None);
            await Eventually.WaitUntilAsync(() => mock.BrokerErrorsLeft(Leader, ProduceApi) == 0, KafkaTestSupport.Deadline, "request A to take the pushed error");
            var requestA = Assert.Single(Produces(mock)); // the error went to A, the only Produce request so far
            var sendingSecond = sender.SendAsync(second, CancellationToken.None);
            await Eventually.WaitUntilAsync(() => Produces(mock).Count >= 2, KafkaTestSupport.Deadline, "request B to reach the broker");
            var requestB = Produces(mock)[1];
            var gapMs = (requestB.TimestampMicros - requestA.TimestampMicros) / 1000.0;
            Assert.True(gapMs < RefusalHeldMs, $"request B reached the broker {gapMs:0} ms after A, after A's refusal was sent ({RefusalHeldMs} ms): no race");
            await sendingSecond;
            var confirmedFirst = await sendingFirst.ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
            var read = await Task.Run(() => ReadAll(cluster.BootstrapServers, topic, confirmedFirst ? 3 : 2));
            output.WriteLine($"B reached the broker {gapMs:0} ms after A; first confirmed: {confirmedFirst} ({sendingFirst.Exception?.InnerException?.Message}); topic holds [{string.Join(", ", read.Select(id => id == first.MessageId ? "first" : id == second.MessageId ? "second" : "warm-up"))}]");
            Assert.Contains(second.MessageId, read); // B was appended while A's refusal was held back
            Assert.True(!confirmedFirst || read.Contains(first.MessageId), "the first message was reported confirmed but is not in the topic");
            Assert.DoesNotContain(first.MessageId, read); // the race ended as an implicit ack of a record never written: the case under test
        }
    }

    /// <summary>A batch over two partitions whose second leader is down: the records of that partition time out in the
    /// producer, and the batch's exception names each of them by its message id (the outbox marks rows by it), while the
    /// records of the other partition are confirmed and named by none.</summary>
    [SkippableFact]
    public async Task A_batch_names_each_record_its_delivery_report_refused_and_no_other()
    {
        using var cluster = PrivateCluster.StartMock("the leader of one partition taken down while a batch is sent");
        var mock = cluster.Mock;
        var topic = "refused-" + Guid.NewGuid().ToString("N")[..8];
        mock.CreateTopic(topic, 2);
        mock.SetPartitionLeader(topic, 0, 1);
        mock.SetPartitionLeader(topic, 1, 2);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, MessageTimeoutMs = 2000 };
        var batch = Enumerable.Range(0, 20).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i}", i)).ToList();
        await using var sender = new KafkaSender(options, KafkaTestSupport.Events(), TimeProvider.System, NullLogger.Instance);
        await sender.SendAsync(KafkaTestSupport.NewEnvelope(topic, "warm-up", -1), CancellationToken.None); // metadata known
        mock.SetBrokerDown(2);

        var refused = await Assert.ThrowsAsync<BatchPublishException>(() => sender.SendBatchAsync(batch, CancellationToken.None));

        mock.SetBrokerUp(2);
        var named = refused.Failures.Select(f => f.MessageId).ToList();
        var read = await Task.Run(() => ReadAll(cluster.BootstrapServers, topic, 1 + batch.Count - named.Count));
        output.WriteLine($"refused {named.Count} of {batch.Count}: {refused.Failures[0].Message}; topic holds {read.Count} records");
        Assert.All(refused.Failures, f => Assert.Equal(PublishFailure.Timeout, f.Failure));
        Assert.Equal(named.Count, named.Distinct().Count());
        Assert.Subset(batch.Select(e => e.MessageId).ToHashSet(), named.ToHashSet());
        Assert.InRange(named.Count, 1, batch.Count - 1); // both partitions had records
        Assert.Equal(batch.Select(e => e.MessageId).Except(named).Order(), read.Where(id => batch.Any(e => e.MessageId == id)).Order());
    }

    private static List<MockRequest> Produces(MockCluster mock) => [.. mock.Requests().Where(r => r.ApiKey == ProduceApi)];

    /// <summary>The producer's connection failures to broker <paramref name="broker"/>, which librdkafka names host:port/id: its
    /// error events (3023) and its log lines of facility FAIL (3015), both at Debug.</summary>
    private static int ConnectionFailures(EventLog events, int broker) =>
        events.Events.Count(e => (e.Id == 3023 || (e.Id == 3015 && e.Text.Contains("[FAIL]", StringComparison.Ordinal))) && e.Text.Contains($"/{broker}: ", StringComparison.Ordinal));

    [Fact]
    public async Task Consumer_killed_mid_batch_gets_only_its_uncommitted_messages_redelivered()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new() { ["Messaging:Kafka:AutoCommitIntervalMs"] = "200" });
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "killed", createTopic: t => cluster.CreateTopic(t, 1));
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 300).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i % 7}", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        // First member, in a child process: handles messages (10 ms each) and is SIGKILLed mid-batch, some way past its
        // last background commit: no drain, no commit, no leave-group.
        var first = new ConcurrentQueue<long>();
        using (var member = CrashMember.Start(cluster.BootstrapServers, endpoint.Name, topic, settings["Messaging:Kafka:SessionTimeoutMs"]!, source => first.Enqueue(KafkaTestSupport.Position(source).Offset.Value)))
        {
            var firstCommit = 0L;
            await Eventually.WaitUntilAsync(() => (firstCommit = cluster.Committed(endpoint.Name, topic).Value) > 0, KafkaTestSupport.Deadline, "a background commit");
            await Eventually.WaitUntilAsync(() => first.Count >= firstCommit + 40, KafkaTestSupport.Deadline, "40 messages past the commit");
            member.Kill();
        }
        var committed = cluster.Committed(endpoint.Name, topic).Value;

        // Second member of the group (after the first one's session expired): starts at the commit.
        var second = new ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            second.Enqueue(KafkaTestSupport.Position(m.Source).Offset.Value);
            return Task.FromResult(ProcessingResult.Ack);
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => second.Count >= sent.Count - committed, KafkaTestSupport.Deadline, "the uncommitted messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);

        var redelivered = first.Intersect(second).Count();
        output.WriteLine($"first member handled {first.Count}, committed offset {committed} at the kill; second member handled {second.Count} (offsets {second.Min()}..{second.Max()}), redelivered {redelivered} = handled but uncommitted {first.Count(o => o >= committed)}, committed ones redelivered {second.Count(o => o < committed)}");
        Assert.Equal(Enumerable.Range((int)committed, sent.Count - (int)committed).Select(i => (long)i), second);
        Assert.Equal(first.Count(o => o >= committed), redelivered);
        Assert.True(redelivered > 0, "the kill came after handled but uncommitted messages");
        Assert.Equal(sent.Count, first.Union(second).Count()); // nothing lost
    }

    private static List<string> ReadAll(string bootstrapServers, string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var ids = new List<string>();
        var deadline = DateTime.UtcNow + KafkaTestSupport.Deadline;
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record is null) continue;
            ids.Add(KafkaTestSupport.Header(record.Message.Headers, HeaderNames.MessageId));
            if (ids.Count >= expected) quietUntil = DateTime.UtcNow.AddSeconds(1); // keep reading briefly for duplicates
        }
        consumer.Close();
        return ids;
    }
}
