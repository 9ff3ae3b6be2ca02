using System.Collections.Concurrent;
using Messaging.Testing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>
/// What health says about a Kafka consumer that is connected but not consuming (issue 23, item 3), and that a stopping
/// member leaves its group. librdkafka's mock cluster holds a group's next rebalance for about session.timeout.ms after a
/// member left, although the member sent LeaveGroup (a real broker rebalances at once): that wait is what a restarted
/// service met for 45 s with the default SessionTimeoutMs, and here it stands for any member kept without partitions.
/// </summary>
public sealed class KafkaConsumerHealthTests
{
    private const short LeaveGroup = 13;

    [Fact]
    public async Task A_stopping_member_leaves_its_group_and_a_member_held_without_partitions_is_reported_not_consuming()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new() { ["Messaging:Kafka:SessionTimeoutMs"] = "8000", ["Messaging:Kafka:NoPartitionsDegradedMs"] = "1000" });
        var (first, firstTransport, endpoint) = await KafkaTestSupport.StartAsync(settings, "leave", createTopic: t => cluster.Mock.CreateTopic(t, 1));
        await firstTransport.SendAsync(KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", 1), CancellationToken.None);
        cluster.Mock.StartRequestTracking();
        await KafkaTestSupport.ConsumeAsync(firstTransport, endpoint, 1); // consumes, then stops: commits and closes
        await first.DisposeAsync();
        Assert.Equal(1, cluster.Mock.Requests().Count(r => r.ApiKey == LeaveGroup)); // a clean stop leaves the group

        await using var second = (await KafkaTestSupport.StartAsync(settings, "leave-second")).Provider;
        var transport = second.GetRequiredService<IMessageTransport>();
        await transport.SendAsync(KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", 2), CancellationToken.None);
        var received = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            received.Enqueue(m.Envelope.MessageId);
            return Task.FromResult(ProcessingResult.Ack);
        }, stop.Token);

        await Eventually.WaitUntilAsync(() => transport.Health.ConsumerCondition == ConsumerCondition.NotConsuming, KafkaTestSupport.Deadline,
            "the member without partitions reported as not consuming");
        Assert.Contains("has held no partition for", transport.Health.ConsumerProblem, StringComparison.Ordinal);
        Assert.Empty(received);
        await Eventually.WaitUntilAsync(() => !received.IsEmpty, KafkaTestSupport.Deadline, "the partition, once the group rebalanced");
        await Eventually.WaitUntilAsync(() => transport.Health.ConsumerCondition == ConsumerCondition.Consuming, KafkaTestSupport.Deadline, "consuming again");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);
        Assert.Equal(2, cluster.Mock.Requests().Count(r => r.ApiKey == LeaveGroup)); // and so does the second member
    }

    [Fact]
    public async Task A_member_whose_handler_hangs_while_records_wait_is_reported_stalled_until_it_moves_again()
    {
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new() { ["Messaging:Kafka:NoProgressUnhealthyMs"] = "1500" });
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(settings, "stalled", createTopic: t => cluster.Mock.CreateTopic(t, 1));
        await using var _ = provider;
        for (var i = 0; i < 3; i++) await transport.SendAsync(KafkaTestSupport.NewEnvelope(endpoint.Destinations[0], "k", i), CancellationToken.None);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (_, ct) =>
        {
            await release.Task.WaitAsync(ct); // the first record hangs; the two behind it wait (partition order)
            Interlocked.Increment(ref handled);
            return ProcessingResult.Ack;
        }, stop.Token);

        await Eventually.WaitUntilAsync(() => transport.Health.ConsumerCondition == ConsumerCondition.Stalled, KafkaTestSupport.Deadline,
            "the hanging member reported as stalled");
        Assert.Contains("no offset advanced for", transport.Health.ConsumerProblem, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref handled));
        release.SetResult();
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref handled) == 3 && transport.Health.ConsumerCondition == ConsumerCondition.Consuming,
            KafkaTestSupport.Deadline, "every record handled and the member consuming again");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);
    }
}
