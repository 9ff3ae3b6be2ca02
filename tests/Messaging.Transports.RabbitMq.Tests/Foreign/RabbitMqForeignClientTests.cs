using System.Text;
using System.Text.Json;
using Messaging.Testing;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;
using Messaging.ForeignClients;
using static Messaging.ForeignClients.ForeignPython;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// docs/wire-format.md, RabbitMQ side, against Python's pika: a producer in another language sending header values as
/// strings (S), as byte arrays (x), as integers, or only AMQP properties is applied once per message id by the real host
/// (inbox on SQLite); what cannot be read is dead-lettered with a reason naming the header; a pika consumer sees our
/// messages in the documented shape.
/// </summary>
public sealed class RabbitMqForeignClientTests(RabbitMqBroker broker, ITestOutputHelper output) : IClassFixture<RabbitMqBroker>
{
    private const string TypeName = "wire-test.order-placed"; // pinned with Map(name:), as a foreign producer needs
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pika_producer_messages_are_applied_once_each_and_unreadable_ones_dead_lettered_with_the_reason()
    {
        var destination = Names.Unique("wire");
        var endpoint = Names.Unique("wire-ep");
        using var database = new TemporarySqliteFile("wire");
        var tally = new WireTally();
        var log = new WireLog();
        using var host = TestHost.Build(broker, new Dictionary<string, string?> { ["Messaging:Endpoint"] = endpoint },
            b => b.Map<ComplianceMessage>(destination, m => m.Key, name: TypeName)
                .AddHandlerFilter<WireTallyFilter>()
                .AddHandler<ComplianceMessage, InboxRecordingHandler>("apply")
                .AddEntityFrameworkOutbox<InboxDbContext>(),
            s => s.AddSingleton(tally).AddLogging(l => l.AddProvider(log)).AddDbContext<InboxDbContext>(o => o.UseSqlite(database.ConnectionString)));
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();
        await host.StartAsync();

        var scenarios = Scenarios(destination);
        var sent = await RunAsync("rabbitmq_publish.py", new { uri = broker.Uri, messages = scenarios.SelectMany(s => s.Messages) });
        Assert.Equal(scenarios.Sum(s => s.Messages.Count), sent.GetProperty("sent").GetInt32());

        var dead = await ReadDeadLettersAsync(endpoint + ".dlq", scenarios.Sum(s => s.DeadLettered));
        await Eventually.WaitUntilAsync(() => tally.Total >= scenarios.Sum(s => s.Applied + s.Skipped), Deadline, "every readable message handled or skipped");
        await host.StopAsync();
        var rows = await AppliedRowsAsync(host);

        var outcomes = scenarios.Select(s => new WireOutcome(s,
            rows.Count(id => tally.Applied.TryGetValue(id, out var e) && e.Headers[WireTally.ScenarioHeader] == s.Name),
            tally.Count(s.Name, Handling.HandlerOutcome.SkippedDuplicate),
            dead.Count(d => d.Scenario == s.Name), [.. dead.Where(d => d.Scenario == s.Name).Select(d => d.Reason)])).ToList();
        output.WriteLine(WireOutcome.Table("RabbitMQ (pika 1.2)", outcomes));
        foreach (var o in outcomes)
        {
            Assert.True((o.Scenario.Applied, o.Scenario.Skipped, o.Scenario.DeadLettered) == (o.Applied, o.Skipped, o.DeadLettered),
                $"{o.Scenario.Name}: expected applied/skipped/dead-lettered {o.Scenario.Applied}/{o.Scenario.Skipped}/{o.Scenario.DeadLettered}, got {o.Applied}/{o.Skipped}/{o.DeadLettered}");
            Assert.All(o.Reasons, reason => Assert.Contains(o.Scenario.Reason!, reason, StringComparison.Ordinal));
        }
        Assert.Equal(rows.Count, rows.Distinct().Count()); // nothing applied twice
        Assert.Equal(0u, await BrokerQueues.ReadyCountAsync(broker, endpoint));

        // The envelope as a handler sees it: ids as sent, whatever the encoding; the header wins over the property, logged.
        Assert.Contains("900000000001", tally.Applied.Keys);
        Assert.Contains("4201", tally.Applied.Keys);
        var fromBytes = tally.Applied.Values.First(e => e.Headers[WireTally.ScenarioHeader] == "bytes-headers");
        Assert.Equal(("k-bytes", "corr-bytes", "cause-bytes", "application/json"), (fromBytes.PartitionKey, fromBytes.CorrelationId, fromBytes.CausationId, fromBytes.ContentType));
        var conflict = Assert.Single(log.Texts(2014), t => t.Contains("header-id-0", StringComparison.Ordinal));
        Assert.Contains("property-id-0", conflict, StringComparison.Ordinal);
        Assert.Contains(tally.Applied.Keys, id => id.StartsWith("header-id-0-", StringComparison.Ordinal));
        Assert.DoesNotContain(tally.Applied.Keys, id => id.StartsWith("property-id-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pika_consumer_sees_our_message_in_the_documented_shape()
    {
        var destination = Names.Unique("wire-out");
        var queue = Names.Unique("pika-reader");
        await using (var connection = await broker.OpenConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(destination, ExchangeType.Topic, durable: true);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, destination, "#");
        }
        using var host = TestHost.Build(broker, new Dictionary<string, string?>(), b => b.Map<ComplianceMessage>(destination, m => m.Key, name: TypeName));
        await host.StartAsync();
        var sent = await host.Services.GetRequiredService<IMessagePublisher>().PublishAsync(new ComplianceMessage("customer-7", 7), new PublishOptions { CorrelationId = "corr-7" });
        await host.StopAsync();

        var seen = await RunAsync("rabbitmq_consume.py", new { uri = broker.Uri, queue, count = 1, timeout_s = 30 });
        output.WriteLine(seen.ToString());
        var message = Assert.Single(seen.EnumerateArray());
        Assert.Equal(destination, message.GetProperty("exchange").GetString());
        Assert.Equal(TypeName, message.GetProperty("routing_key").GetString());
        var properties = message.GetProperty("properties");
        Assert.Equal(sent.MessageId, properties.GetProperty("message_id").GetString());
        Assert.Equal(2, properties.GetProperty("delivery_mode").GetInt32());
        Assert.Equal((TypeName, "corr-7", "application/json"),
            (properties.GetProperty("type").GetString(), properties.GetProperty("correlation_id").GetString(), properties.GetProperty("content_type").GetString()));
        Assert.Equal(sent.Timestamp.ToUnixTimeSeconds(), properties.GetProperty("timestamp").GetInt64()); // AMQP timestamp: Unix seconds
        var headers = message.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value);
        Assert.Equal(new[] { "content-type", "correlation-id", "destination", "message-id", "message-type", "partition-key", "timestamp" }, headers.Keys.Order());
        Assert.All(headers.Values, h => Assert.Equal("str", h.GetProperty("type").GetString())); // UTF-8 long strings: text to pika
        string Header(string name) => headers[name].GetProperty("value").GetString()!;
        Assert.Equal((sent.MessageId, TypeName, "customer-7", "corr-7", destination), (Header("message-id"), Header("message-type"), Header("partition-key"), Header("correlation-id"), Header("destination")));
        Assert.Equal(sent.Timestamp.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Header("timestamp")); // Unix ms as digits
        Assert.Equal("application/json", Header("content-type"));
        Assert.Equal("""{"key":"customer-7","sequence":7}""", message.GetProperty("body").GetString());
    }

    /// <summary>Every encoding the issue names, one scenario each; bodies are our camelCase JSON.</summary>
    private static List<WireScenario> Scenarios(string exchange)
    {
        var n = 0;
        object Message(string scenario, Dictionary<string, object> headers, object? properties = null)
        {
            headers[WireTally.ScenarioHeader] = Str(scenario);
            return new { exchange, routing_key = TypeName, body = $$"""{"key":"k-{{scenario}}","sequence":{{n++}}}""", headers, properties = properties ?? new { } };
        }
        List<object> Many(int count, Func<int, object> make) => [.. Enumerable.Range(0, count).Select(make)];
        string Id() => Envelope.NewMessageId();
        var duplicate = Id();
        return
        [
            new("str-headers", "headers as str (S)", Many(5, _ => Message("str-headers", new()
            {
                ["message-id"] = Str(Id()), ["message-type"] = Str(TypeName), ["partition-key"] = Str("k-str"),
                ["correlation-id"] = Str("corr-str"), ["causation-id"] = Str("cause-str"), ["content-type"] = Str("application/json"),
            })), Applied: 5, Skipped: 0, DeadLettered: 0),
            new("bytes-headers", "headers as bytes (x)", Many(20, _ => Message("bytes-headers", new()
            {
                ["message-id"] = Bytes(Id()), ["message-type"] = Bytes(TypeName), ["partition-key"] = Bytes("k-bytes"),
                ["correlation-id"] = Bytes("corr-bytes"), ["causation-id"] = Bytes("cause-bytes"), ["content-type"] = Bytes("application/json"),
            })), Applied: 20, Skipped: 0, DeadLettered: 0),
            new("bytes-id", "message-id as bytes (x), the rest as str", Many(20, _ => Message("bytes-id", new()
            {
                ["message-id"] = Bytes(Id()), ["message-type"] = Str(TypeName),
            })), Applied: 20, Skipped: 0, DeadLettered: 0), // the issue's report: 1 applied, 19 skipped as duplicates
            new("properties-only", "AMQP properties only", Many(5, _ => Message("properties-only", new(),
                new { message_id = Id(), type = TypeName, correlation_id = "corr-props", content_type = "application/json", timestamp = 1_700_000_000 })),
                Applied: 5, Skipped: 0, DeadLettered: 0),
            new("integer-id", "message-id as an integer (l, I)", Many(2, i => Message("integer-id", new() { ["message-id"] = Int(i == 0 ? 900_000_000_001 : 4_201), ["message-type"] = Str(TypeName) })),
                Applied: 2, Skipped: 0, DeadLettered: 0),
            new("header-vs-property", "message-id header and a different message_id", Many(2, i => Message("header-vs-property",
                new() { ["message-id"] = Bytes($"header-id-{i}-{Id()}"), ["message-type"] = Bytes(TypeName) }, new { message_id = $"property-id-{i}-{Id()}" })),
                Applied: 2, Skipped: 0, DeadLettered: 0),
            new("duplicates", "one id three times: str, bytes, property", [
                Message("duplicates", new() { ["message-id"] = Str(duplicate), ["message-type"] = Str(TypeName) }),
                Message("duplicates", new() { ["message-id"] = Bytes(duplicate), ["message-type"] = Bytes(TypeName) }),
                Message("duplicates", new(), new { message_id = duplicate, type = TypeName })], Applied: 1, Skipped: 2, DeadLettered: 0),
            new("header-not-utf8", "a header as bytes that are not UTF-8", Many(2, _ => Message("header-not-utf8",
                new() { ["message-id"] = Bytes(Id()), ["message-type"] = Bytes(TypeName), ["tenant"] = Bytes(NotUtf8) })),
                Applied: 0, Skipped: 0, DeadLettered: 2, "header 'tenant' is not valid UTF-8"),
            new("id-not-utf8", "message-id as bytes that are not UTF-8", [Message("id-not-utf8", new() { ["message-id"] = Bytes(NotUtf8), ["message-type"] = Str(TypeName) })],
                Applied: 0, Skipped: 0, DeadLettered: 1, "header 'message-id' is not valid UTF-8"),
            new("id-as-table", "message-id as a table (F)", [Message("id-as-table", new() { ["message-id"] = Table(), ["message-type"] = Str(TypeName) })],
                Applied: 0, Skipped: 0, DeadLettered: 1, "header 'message-id' is a table (F), not text"),
            new("missing-id", "no message-id header, no message_id", Many(2, _ => Message("missing-id", new() { ["message-type"] = Bytes(TypeName) })),
                Applied: 0, Skipped: 0, DeadLettered: 2, "no 'message-id' header and no message_id property"),
            new("unknown-type", "message-type as bytes, not mapped", [Message("unknown-type", new() { ["message-id"] = Bytes(Id()), ["message-type"] = Bytes("no.such.Type") })],
                Applied: 0, Skipped: 0, DeadLettered: 1, "unknown message type 'no.such.Type'"),
        ];
    }

    private async Task<List<(string Scenario, string Reason)>> ReadDeadLettersAsync(string queue, int count)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = new List<(string, string)>();
        await Eventually.WaitUntilAsync(async () =>
        {
            while (dead.Count < count && await channel.BasicGetAsync(queue, autoAck: true) is { } got)
            {
                var headers = got.BasicProperties.Headers!;
                dead.Add((Text(headers[WireTally.ScenarioHeader]), Text(headers[HeaderNames.DeadLetterReason])));
            }
            return dead.Count >= count;
        }, Deadline, $"{count} dead-lettered messages in {queue}");
        return dead;

        static string Text(object? value) => value is BinaryTableValue b ? Encoding.UTF8.GetString(b.Bytes) : Encoding.UTF8.GetString((byte[])value!);
    }

    private static async Task<List<string>> AppliedRowsAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.Select(h => h.MessageId).ToListAsync();
    }
}
