using Messaging.Transport;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.RabbitMq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.CrossBroker.Tests;

public sealed class CrossBrokerTests(RabbitMqBroker rabbit) : IClassFixture<RabbitMqBroker>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60); // a Kafka group's first join takes seconds
    private readonly TemporarySqliteFile _database = new("cross"); // xUnit makes an instance per test: one file per test

    public void Dispose() => _database.Dispose(); // after the test, whose host is disposed by then

    [Fact]
    public async Task Same_message_id_through_RabbitMQ_and_Kafka_is_applied_once()
    {
        var destination = Names.Unique("cross");
        using var host = await StartAsync(destination, consumeFrom: ["RabbitMq", "Kafka"], b => b.AddHandler<ComplianceMessage, InboxRecordingHandler>());
        var transports = host.Services.GetRequiredService<MessagingTransports>();
        var statistics = host.Services.GetRequiredService<MessagingStatistics>();
        var envelope = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new ComplianceMessage("k", 1), typeof(ComplianceMessage));

        await transports.Get("RabbitMq").SendAsync(envelope, CancellationToken.None);
        await transports.Get("Kafka").SendAsync(envelope, CancellationToken.None);

        await Eventually.WaitUntilAsync(() => statistics.Handled + statistics.DuplicatesSkipped >= 2, Deadline, "the message through both brokers");
        await host.StopAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDbContext>();
        Assert.Equal([envelope.MessageId], await db.Handled.Select(h => h.MessageId).ToListAsync());
        Assert.Equal(1, statistics.Handled);
        Assert.Equal(1, statistics.DuplicatesSkipped);
    }

    [Fact]
    public async Task Bridge_forwards_from_RabbitMQ_to_Kafka_keeping_the_message_id()
    {
        var destination = Names.Unique("bridge");
        using var host = await StartAsync(destination, consumeFrom: ["RabbitMq"], b => b.AddOutboxBridge<ComplianceMessage>("Kafka"));
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(
            new ComplianceMessage("k", 2), new PublishOptions { CorrelationId = "corr-bridge" });

        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Brokers.KafkaBootstrapServers,
            GroupId = Names.Unique("reader"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            AllowAutoCreateTopics = true,
        }).Build();
        consumer.Subscribe(destination);
        var end = DateTime.UtcNow + Deadline;
        ConsumeResult<string?, byte[]>? record = null;
        while (record is null && DateTime.UtcNow < end)
        {
            try { record = consumer.Consume(TimeSpan.FromMilliseconds(500)); }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.UnknownTopicOrPart) { } // until the bridge's first produce creates it
        }
        consumer.Close();
        await host.StopAsync();

        Assert.NotNull(record);
        Assert.Equal(sent.MessageId, Header(record, HeaderNames.MessageId));
        Assert.Equal("corr-bridge", Header(record, HeaderNames.CorrelationId));
        Assert.Equal("k", record.Message.Key);
        Assert.Equal(sent.Body.ToArray(), record.Message.Value);
    }

    private static string? Header(ConsumeResult<string?, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    private async Task<IHost> StartAsync(string destination, string[] consumeFrom, Action<MessagingBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:Endpoint"] = Names.Unique("cross-ep"),
            ["Messaging:RabbitMq:Uri"] = rabbit.Uri,
            ["Messaging:Kafka:BootstrapServers"] = Brokers.KafkaBootstrapServers,
            ["Messaging:Kafka:SessionTimeoutMs"] = "6000",
            ["Messaging:Outbox:PollIntervalMs"] = "50",
        };
        for (var i = 0; i < consumeFrom.Length; i++) settings[$"Messaging:ConsumeFrom:{i}"] = consumeFrom[i];
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDbContext<InboxDbContext>(o => o.UseSqlite(_database.ConnectionString));
        var messaging = builder.Services.AddMessaging(builder.Configuration).AddRabbitMq().AddKafka()
            .Map<ComplianceMessage>(destination, m => m.Key)
            .AddEntityFrameworkOutbox<InboxDbContext>();
        configure(messaging);
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();
        await host.StartAsync();
        return host;
    }
}
