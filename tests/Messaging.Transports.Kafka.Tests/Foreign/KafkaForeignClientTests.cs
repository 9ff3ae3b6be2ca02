using System.Globalization;
using System.Text.Json;
using Messaging.Testing;
using Messaging.ForeignClients;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static Messaging.ForeignClients.ForeignPython;

namespace Messaging.Kafka.Tests;

/// <summary>
/// docs/wire-format.md, Kafka side, against Python's confluent-kafka (librdkafka): records whose header values were
/// given as text or as bytes are applied once per message id by the real host (inbox on SQLite); what cannot be read
/// is dead-lettered with a reason naming the header; murmur2_random puts a key where our producer does; a Python
/// consumer sees our records in the documented shape.
/// </summary>
public sealed class KafkaForeignClientTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private const string TypeName = "wire-test.order-placed";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Confluent_kafka_producer_records_are_applied_once_each_and_unreadable_ones_dead_lettered_with_the_reason()
    {
        var topic = Names.Unique("wire");
        using var database = new TempDatabase("wire");
        var tally = new WireTally();
        var log = new WireLog();
        using var host = BuildHost(Names.Unique("wire-ep"), topic, b => b.AddHandlerFilter<WireTallyFilter>()
                .AddHandler<ComplianceMessage, InboxRecordingHandler>("apply").AddEntityFrameworkOutbox<InboxDbContext>(),
            s => s.AddSingleton(tally).AddLogging(l => l.AddProvider(log)).AddDbContext<InboxDbContext>(o => o.UseSqlite(database.ConnectionString)));
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();

        var scenarios = Scenarios();
        var sent = await RunAsync("kafka_produce.py", new { bootstrap = fixture.BootstrapServers, topic, partitioner = "murmur2_random", messages = scenarios.SelectMany(s => s.Messages) });
        Assert.Equal(scenarios.Sum(s => s.Messages.Count), sent.GetProperty("sent").GetInt32());
        await host.StartAsync();
        await Eventually.WaitUntilAsync(() => tally.Total >= scenarios.Sum(s => s.Applied + s.Skipped), Deadline, "every readable record handled or skipped");
        var expectedDead = scenarios.Sum(s => s.DeadLettered);
        var dead = (await RunAsync("kafka_consume.py", new { bootstrap = fixture.BootstrapServers, topic = topic + ".dlq", count = expectedDead, timeout_s = 60 }))
            .EnumerateArray().Select(r => (Scenario: Header(r, WireTally.ScenarioHeader), Reason: Header(r, HeaderNames.DeadLetterReason))).ToList();
        await host.StopAsync();
        List<string> rows;
        await using (var scope = host.Services.CreateAsyncScope())
            rows = await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.Select(h => h.MessageId).ToListAsync();

        var outcomes = scenarios.Select(s => new WireOutcome(s,
            rows.Count(id => tally.Applied.TryGetValue(id, out var e) && e.Headers[WireTally.ScenarioHeader] == s.Name),
            tally.Count(s.Name, Handling.HandlerOutcome.SkippedDuplicate),
            dead.Count(d => d.Scenario == s.Name), [.. dead.Where(d => d.Scenario == s.Name).Select(d => d.Reason)])).ToList();
        output.WriteLine(WireOutcome.Table("Kafka (confluent-kafka 1.7, librdkafka 2.0)", outcomes));
        foreach (var o in outcomes)
        {
            Assert.True((o.Scenario.Applied, o.Scenario.Skipped, o.Scenario.DeadLettered) == (o.Applied, o.Skipped, o.DeadLettered),
                $"{o.Scenario.Name}: expected applied/skipped/dead-lettered {o.Scenario.Applied}/{o.Scenario.Skipped}/{o.Scenario.DeadLettered}, got {o.Applied}/{o.Skipped}/{o.DeadLettered}");
            Assert.All(o.Reasons, reason => Assert.Contains(o.Scenario.Reason!, reason, StringComparison.Ordinal));
        }
        Assert.Equal(expectedDead, dead.Count);
        Assert.Equal(rows.Count, rows.Distinct().Count()); // nothing applied twice

        var fromBytes = tally.Applied.Values.First(e => e.Headers[WireTally.ScenarioHeader] == "bytes-headers");
        Assert.Equal(("k-bytes", "corr-bytes", "cause-bytes", "application/json"), (fromBytes.PartitionKey, fromBytes.CorrelationId, fromBytes.CausationId, fromBytes.ContentType));
        Assert.All(tally.Applied.Values.Where(e => e.Headers[WireTally.ScenarioHeader] == "key-vs-header"), e => Assert.Equal("k-record-key", e.PartitionKey));
        Assert.Equal(2, log.Texts(3022).Count(t => t.Contains("'k-record-key'", StringComparison.Ordinal) && t.Contains("'k-header'", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Murmur2_random_puts_each_key_on_the_partition_our_producer_picks_and_librdkafkas_default_does_not()
    {
        using var cluster = PrivateCluster.Start();
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(cluster.Settings(), "wire-keys", createTopic: t => cluster.CreateTopic(t, 6));
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var keys = Enumerable.Range(0, 30).Select(i => $"customer-{i}").ToList();
        await transport.SendBatchAsync([.. keys.Select((k, i) => KafkaTestSupport.NewEnvelope(topic, k, i))], CancellationToken.None);
        var ours = (await RunAsync("kafka_consume.py", new { bootstrap = cluster.BootstrapServers, topic, count = keys.Count, timeout_s = 30 }))
            .EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("partition").GetInt32());

        async Task<List<int>> ForeignAsync(string? partitioner) =>
            [.. (await RunAsync("kafka_produce.py", new { bootstrap = cluster.BootstrapServers, topic, partitioner, messages = keys.Select(k => new { key = k, value = "{}" }) }))
                .GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32())];
        var murmur2 = await ForeignAsync("murmur2_random");
        var librdkafkaDefault = await ForeignAsync(null); // consistent_random (CRC32)

        output.WriteLine($"30 keys on 6 partitions: ours {string.Join(",", keys.Select(k => ours[k]))}; murmur2_random {string.Join(",", murmur2)}; consistent_random {string.Join(",", librdkafkaDefault)}");
        Assert.Equal(keys.Select(k => ours[k]), murmur2);
        Assert.NotEqual(keys.Select(k => ours[k]), librdkafkaDefault);
    }

    [Fact]
    public async Task Confluent_kafka_consumer_sees_our_record_in_the_documented_shape()
    {
        var topic = Names.Unique("wire-out");
        using var host = BuildHost(Names.Unique("wire-ep"), topic, _ => { }, _ => { });
        await host.StartAsync();
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("customer-7", 7), new PublishOptions { CorrelationId = "corr-7" });
        await host.StopAsync();

        var seen = await RunAsync("kafka_consume.py", new { bootstrap = fixture.BootstrapServers, topic, count = 1, timeout_s = 30 });
        output.WriteLine(seen.ToString());
        var record = Assert.Single(seen.EnumerateArray());
        Assert.Equal("customer-7", record.GetProperty("key").GetString());
        Assert.Equal("""{"key":"customer-7","sequence":7}""", record.GetProperty("value").GetString());
        Assert.Equal(sent.Timestamp.ToUnixTimeMilliseconds(), record.GetProperty("timestamp").GetInt64());
        var headers = record.GetProperty("headers").EnumerateArray().Select(h => (Name: h[0].GetString()!, Value: h[1])).ToList();
        Assert.All(headers, h => Assert.True(h.Value.TryGetProperty("utf8", out _), $"header {h.Name} is UTF-8 text"));
        Assert.Equal(new[] { "content-type", "correlation-id", "destination", "message-id", "message-type", "partition-key", "timestamp" }, headers.Select(h => h.Name).Order());
        Assert.Equal((sent.MessageId, TypeName, "customer-7", "corr-7", topic, "application/json", sent.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            (Header(record, "message-id"), Header(record, "message-type"), Header(record, "partition-key"), Header(record, "correlation-id"),
             Header(record, "destination"), Header(record, "content-type"), Header(record, "timestamp")));
    }

    /// <summary>Kafka header values are bytes: text and bytes are one encoding on the wire, sent both ways anyway.</summary>
    private static List<WireScenario> Scenarios()
    {
        var n = 0;
        object Record(string scenario, string? key, params (string Name, object Value)[] headers) => new
        {
            key,
            value = $$"""{"key":"{{key ?? "none"}}","sequence":{{n++}}}""",
            headers = headers.Append((Name: WireTally.ScenarioHeader, Value: Str(scenario))).Select(h => new object[] { h.Name, h.Value }),
        };
        List<object> Many(int count, Func<int, object> make) => [.. Enumerable.Range(0, count).Select(make)];
        string Id() => Envelope.NewMessageId();
        var duplicate = Id();
        return
        [
            new("str-headers", "headers given as str", Many(5, _ => Record("str-headers", "k-str", ("message-id", Str(Id())), ("message-type", Str(TypeName)),
                ("correlation-id", Str("corr-str")), ("causation-id", Str("cause-str")), ("content-type", Str("application/json")))), Applied: 5, Skipped: 0, DeadLettered: 0),
            new("bytes-headers", "headers given as bytes", Many(20, _ => Record("bytes-headers", "k-bytes", ("message-id", Bytes(Id())), ("message-type", Bytes(TypeName)),
                ("partition-key", Bytes("k-bytes")), ("correlation-id", Bytes("corr-bytes")), ("causation-id", Bytes("cause-bytes")), ("content-type", Bytes("application/json")))),
                Applied: 20, Skipped: 0, DeadLettered: 0),
            new("key-vs-header", "record key and a different partition-key header", Many(2, _ => Record("key-vs-header", "k-record-key",
                ("message-id", Str(Id())), ("message-type", Str(TypeName)), ("partition-key", Str("k-header")))), Applied: 2, Skipped: 0, DeadLettered: 0),
            new("duplicates", "one id three times: str, bytes, str", [.. new[] { Str(duplicate), Bytes(duplicate), Str(duplicate) }.Select(id =>
                Record("duplicates", "k-dup", ("message-id", id), ("message-type", Str(TypeName))))], Applied: 1, Skipped: 2, DeadLettered: 0),
            new("header-not-utf8", "a header as bytes that are not UTF-8", Many(2, _ => Record("header-not-utf8", "k-bad",
                ("message-id", Bytes(Id())), ("message-type", Str(TypeName)), ("tenant", Bytes(NotUtf8)))), Applied: 0, Skipped: 0, DeadLettered: 2, "header 'tenant' is not valid UTF-8"),
            new("id-not-utf8", "message-id as bytes that are not UTF-8", [Record("id-not-utf8", "k-bad", ("message-id", Bytes(NotUtf8)), ("message-type", Str(TypeName)))],
                Applied: 0, Skipped: 0, DeadLettered: 1, "header 'message-id' is not valid UTF-8"),
            new("missing-id", "no message-id header", Many(2, _ => Record("missing-id", "k-bad", ("message-type", Str(TypeName)))),
                Applied: 0, Skipped: 0, DeadLettered: 2, "record has no message-id header"),
            new("null-id", "message-id header without a value", [Record("null-id", "k-bad", ("message-id", Null()), ("message-type", Str(TypeName)))],
                Applied: 0, Skipped: 0, DeadLettered: 1, "record has no message-id header"),
            new("timestamp-not-ms", "timestamp header as ISO 8601 text", [Record("timestamp-not-ms", "k-bad", ("message-id", Str(Id())), ("message-type", Str(TypeName)),
                ("timestamp", Str("2026-11-29T10:00:00Z")))], Applied: 0, Skipped: 0, DeadLettered: 1, "header 'timestamp' is not Unix milliseconds"),
            new("unknown-type", "message-type not mapped", [Record("unknown-type", "k-bad", ("message-id", Bytes(Id())), ("message-type", Bytes("no.such.Type")))],
                Applied: 0, Skipped: 0, DeadLettered: 1, "unknown message type 'no.such.Type'"),
        ];
    }

    private static string Header(JsonElement record, string name) =>
        record.GetProperty("headers").EnumerateArray().Last(h => h[0].GetString() == name)[1].GetProperty("utf8").GetString()!;

    private IHost BuildHost(string endpoint, string topic, Action<MessagingBuilder> configure, Action<IServiceCollection> services)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(fixture.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Endpoint"] = endpoint,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var messaging = builder.Services.AddMessaging(builder.Configuration).AddKafka().Map<ComplianceMessage>(topic, m => m.Key, name: TypeName);
        configure(messaging);
        services(builder.Services);
        return builder.Build();
    }
}
