using System.Collections.Concurrent;
using System.Diagnostics;
using Messaging.Testing;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaDelayedRetryTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Poison_message_gets_delayed_retries_in_place_then_the_dead_letter_topic_and_the_partition_moves_on()
    {
        var topic = Names.Unique("delayed");
        var calls = new ConcurrentQueue<(int Sequence, long AtMs)>();
        var clock = Stopwatch.StartNew();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(fixture.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Endpoint"] = Names.Unique("ep"),
            ["Messaging:Retry:MaxAttempts"] = "3",
            ["Messaging:Retry:InitialDelayMs"] = "10",
            ["Messaging:Retry:DelayedRetryDelaysMs:0"] = "200",
            ["Messaging:Retry:DelayedRetryDelaysMs:1"] = "400",
        });
        builder.Services.AddMessaging(builder.Configuration).AddKafka()
            .Map<ComplianceMessage>(topic, m => m.Key)
            .AddHandler<ComplianceMessage, RefusesSequenceZero>();
        builder.Services.AddSingleton(new Action<int>(sequence => calls.Enqueue((sequence, clock.ElapsedMilliseconds))));
        using var host = builder.Build();
        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        var poison = await publisher.PublishAsync(new ComplianceMessage("k", 0));
        await publisher.PublishAsync(new ComplianceMessage("k", 1)); // same key: same partition, after the poison

        var dead = await Task.Run(() => fixture.ReadFirst(topic + ".dlq", KafkaTestSupport.Deadline));
        await Eventually.WaitUntilAsync(() => calls.Any(c => c.Sequence == 1), KafkaTestSupport.Deadline, "the next message");
        await host.StopAsync();

        var poisonCalls = calls.Where(c => c.Sequence == 0).Select(c => c.AtMs).ToList();
        var nextAt = calls.First(c => c.Sequence == 1).AtMs;
        output.WriteLine($"poison handled {poisonCalls.Count} times at [{string.Join(", ", poisonCalls)}] ms; dead-letter-attempts {KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterAttempts)}; next message handled at {nextAt} ms");
        Assert.Equal(9, poisonCalls.Count); // 3 deliveries x MaxAttempts 3
        Assert.Equal("9", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterAttempts));
        Assert.Equal(poison.MessageId, KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.MessageId));
        Assert.Contains("refuses sequence 0", KafkaTestSupport.Header(dead.Message.Headers, HeaderNames.DeadLetterExceptionMessage), StringComparison.Ordinal);
        Assert.True(poisonCalls[3] - poisonCalls[2] >= 190, "first delayed retry waited ~200 ms");
        Assert.True(poisonCalls[6] - poisonCalls[5] >= 390, "second delayed retry waited ~400 ms");
        Assert.True(nextAt >= poisonCalls[^1], "order kept: the next message of the key waited for the poison");
        Assert.Single(calls, c => c.Sequence == 1);
    }

    private sealed class RefusesSequenceZero(Action<int> record) : IMessageHandler<ComplianceMessage>
    {
        public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken)
        {
            record(message.Sequence);
            return message.Sequence == 0 ? throw new InvalidOperationException("handler refuses sequence 0") : Task.CompletedTask;
        }
    }
}
