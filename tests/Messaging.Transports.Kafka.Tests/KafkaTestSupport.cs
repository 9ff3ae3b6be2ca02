using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Hosting;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Messaging.Kafka.Tests;

/// <summary>Helpers for the Kafka-specific tests: a transport from DI, envelopes, raw records.</summary>
internal static partial class KafkaTestSupport
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static Task<(ServiceProvider Provider, IMessageTransport Transport, ConsumerEndpoint Endpoint)> StartAsync(KafkaFixture fixture, string prefix) =>
        StartAsync(fixture.Settings, prefix);

    /// <summary>A transport from DI, prepared for a new endpoint with a unique topic (made by <c>createTopic</c> when given), or for
    /// <c>endpoint</c>: a second member of its consumer group.</summary>
    public static async Task<(ServiceProvider Provider, IMessageTransport Transport, ConsumerEndpoint Endpoint)> StartAsync(
        IReadOnlyDictionary<string, string?> settings, string prefix, IReadOnlyDictionary<string, string?>? extra = null, Action<string>? createTopic = null, EventLog? events = null,
        ConsumerEndpoint? endpoint = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "Kafka" })
            .AddInMemoryCollection(extra ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddLogging(b => { if (events is not null) b.AddProvider(events).SetMinimumLevel(events.Minimum); });
        services.AddMessaging(config).AddKafka();
        var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<IMessageTransport>();
        if (endpoint is null)
        {
            endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique(prefix)]);
            createTopic?.Invoke(endpoint.Destinations[0]);
        }
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        return (provider, transport, endpoint);
    }

    public static Envelope NewEnvelope(string destination, string key, int sequence) => new()
    {
        MessageId = Envelope.NewMessageId(),
        MessageType = "kafka.test",
        Destination = destination,
        PartitionKey = key,
        Body = BitConverter.GetBytes(sequence),
    };

    /// <summary>Runs the consumer until <paramref name="count"/> messages were handled (acked), then stops it, which commits;
    /// returns their message ids, or their sources (<c>topic t partition p offset o</c>) with <paramref name="positions"/>.</summary>
    public static async Task<List<string>> ConsumeAsync(IMessageTransport transport, ConsumerEndpoint endpoint, int count, bool positions = false)
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, (m, _) =>
        {
            received.Enqueue(positions ? m.Source : m.Envelope.MessageId);
            return Task.FromResult(ProcessingResult.Ack);
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => received.Count >= count, KafkaTestSupport.Deadline, $"{count} messages");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);
        return [.. received];
    }

    /// <summary>Parses <c>topic t partition p offset o</c>.</summary>
    public static TopicPartitionOffset Position(string source)
    {
        var match = SourcePattern().Match(source);
        Assert.True(match.Success, $"unexpected source '{source}'");
        return new TopicPartitionOffset(match.Groups[1].Value,
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Produces a record as a foreign producer would, on the partition our producer would pick for <paramref name="key"/>.</summary>
    public static async Task ProduceRawAsync(string bootstrapServers, string topic, string key, byte[] value, Headers? headers = null)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Partitioner = Partitioner.Murmur2Random,
        }).SetLogHandler((_, _) => { }).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers });
    }

    public static string Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"header '{name}' missing");

    [GeneratedRegex(@"^topic (\S+) partition (\d+) offset (\d+)$")]
    private static partial Regex SourcePattern();

    /// <summary>Client callbacks for a sender or consumer loop built by hand, with a health of their own.</summary>
    public static KafkaClientEvents Events() =>
        new(new Messaging.Transport.TransportHealth("Kafka", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>Replays <paramref name="topic"/> for <paramref name="group"/> from <paramref name="time"/>: on a real cluster
    /// with <see cref="KafkaReplay.ResetToTimestampAsync"/> (the broker's time index); on the mock, which has none, with
    /// the offsets <see cref="MockTimestampSearch"/> finds by reading records.</summary>
    public static async Task<IReadOnlyList<Confluent.Kafka.TopicPartitionOffset>> ReplayFromAsync(IServiceProvider provider, string bootstrapServers,
        string group, string topic, DateTimeOffset time)
    {
        var replay = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<KafkaReplay>(provider);
        if (KafkaFixture.RealCluster) return await replay.ResetToTimestampAsync(group, topic, time);
        var config = new Confluent.Kafka.ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "replay-search" };
        using var admin = new Confluent.Kafka.AdminClientBuilder(new Confluent.Kafka.AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, Deadline).Topics.Single().Partitions.Select(p => p.PartitionId).ToList();
        using var reader = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(config).Build();
        var offsets = new Dictionary<int, long>();
        foreach (var partition in partitions)
        {
            var tp = new Confluent.Kafka.TopicPartition(topic, partition);
            var marks = reader.QueryWatermarkOffsets(tp, Deadline);
            offsets[partition] = MockTimestampSearch.FirstAtOrAfter(config, tp, marks.Low, marks.High, time);
        }
        return await replay.ResetToOffsetsAsync(group, topic, offsets);
    }
}
