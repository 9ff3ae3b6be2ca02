using System.Globalization;
using System.Text;
using Messaging.Testing;
using Messaging.Hosting;
using Messaging.Transport;
using RabbitMQ.Client;

namespace Messaging.RabbitMq.Tests;

/// <summary>Runs the compliance suite against its own broker (<see cref="RabbitMqBroker"/>: a fresh container, or the
/// server MESSAGING_RABBITMQ names, or the local one).</summary>
public sealed class RabbitMqFixture : ITransportFixture
{
    public RabbitMqFixture(Xunit.Abstractions.IMessageSink sink) => Broker = new RabbitMqBroker(sink);

    public RabbitMqBroker Broker { get; }

    public string TransportName => "RabbitMq";

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:RabbitMq:Uri"] = Broker.Uri,
        // The redelivery test's first handler runs until the stop cancels it: a short grace ends it in 1 s, not 10 s.
        ["Messaging:RabbitMq:ShutdownGraceMs"] = "1000",
    };

    public void Register(MessagingBuilder builder) => builder.AddRabbitMq();

    public Task<Envelope> ReadDeadLetterAsync(IMessageTransport transport, string endpoint, string destination, TimeSpan timeout) =>
        ReadDeadLetterAsync(Broker, endpoint, destination, timeout);

    /// <summary>Polls <c>&lt;endpoint&gt;.dlq</c> with raw basic.get until a message from <paramref name="destination"/> arrives.</summary>
    public static async Task<Envelope> ReadDeadLetterAsync(RabbitMqBroker broker, string endpoint, string destination, TimeSpan timeout)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = RabbitMqQueueArguments.DeadLetterQueue(endpoint);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false);
            if (got is not null)
            {
                var envelope = ToEnvelope(got.BasicProperties, got.Body);
                if (envelope.Headers.GetValueOrDefault("dead-letter-original-destination") == destination)
                {
                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false);
                    return envelope;
                }
                await channel.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No dead letter from '{destination}' in '{queue}' within {timeout.TotalSeconds:0} s.");
            await Task.Delay(50);
        }
    }

    /// <summary>An envelope from AMQP properties and headers, every header value as a string.</summary>
    public static Envelope ToEnvelope(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = (properties.Headers ?? new Dictionary<string, object?>())
            .ToDictionary(h => h.Key, h => h.Value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other?.ToString() ?? "",
            });
        return new Envelope
        {
            MessageId = headers.GetValueOrDefault("message-id") ?? properties.MessageId ?? "",
            MessageType = headers.GetValueOrDefault("message-type") ?? properties.Type ?? "",
            Destination = headers.GetValueOrDefault("destination") ?? "",
            PartitionKey = headers.GetValueOrDefault("partition-key"),
            CorrelationId = properties.CorrelationId,
            ContentType = properties.ContentType ?? "",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime),
            Headers = headers,
            Body = body.ToArray(),
        };
    }

    public Task InitializeAsync() => Broker.InitializeAsync();
    public Task DisposeAsync() => Broker.DisposeAsync();
}
