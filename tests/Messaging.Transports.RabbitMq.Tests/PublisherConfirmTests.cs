using System.Text;
using Messaging.Testing;
using Messaging.Publishing;
using Messaging.Transport;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary>Publisher confirms tracked by the library (ConfirmTracker), not by the client: nothing of the client's on
/// the wire, and every confirm outcome still reaches the right publish.</summary>
public sealed class PublisherConfirmTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    /// <summary>These tests read the endpoint queue with basic.get, which a quorum queue with a single active consumer
    /// refuses (405 RESOURCE_LOCKED).</summary>
    private static readonly Dictionary<string, string?> NoSingleActiveConsumer = new() { ["Messaging:RabbitMq:SingleActiveConsumer"] = "false" };

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Envelope NewEnvelope(string destination, int sequence = 0) => new()
    {
        MessageId = Envelope.NewMessageId(), MessageType = "confirm.test", Destination = destination, PartitionKey = "k",
        Body = Encoding.UTF8.GetBytes(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    [Fact]
    public async Task Published_message_carries_only_the_documented_headers_and_no_client_header()
    {
        var (provider, transport) = TestHost.Transport(broker, NoSingleActiveConsumer);
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        await transport.SendAsync(NewEnvelope(endpoint.Destinations[0]), CancellationToken.None);
        await transport.SendBatchAsync([NewEnvelope(endpoint.Destinations[0]), NewEnvelope(endpoint.Destinations[0])], CancellationToken.None);

        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        string[] documented = [HeaderNames.MessageId, HeaderNames.MessageType, HeaderNames.PartitionKey, HeaderNames.ContentType, HeaderNames.Timestamp, HeaderNames.Destination];
        for (var i = 0; i < 3; i++)
        {
            BasicGetResult? got = null;
            await Eventually.WaitUntilAsync(async () => (got = await channel.BasicGetAsync(endpoint.Name, autoAck: true)) is not null, Deadline, "a message");
            var headers = got!.BasicProperties.Headers!;
            Assert.DoesNotContain(headers.Keys, name => name.StartsWith("x-dotnet-", StringComparison.Ordinal));
            headers.Remove("x-delivery-count"); // the quorum queue's own, added on delivery
            Assert.Equal(documented.Order(), headers.Keys.Order());
            Assert.All(headers.Values, value => Assert.IsType<byte[]>(value)); // UTF-8 long strings (field type S)
        }
    }

    [Fact]
    public async Task Nacked_publish_throws_rejected_and_the_others_are_confirmed()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var destination = Names.Unique("dest");
        var queue = Names.Unique("full");
        await using (var connection = await broker.OpenConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            // A queue that holds one message and nacks (reject-publish) what does not fit.
            await channel.ExchangeDeclareAsync(destination, ExchangeType.Topic, durable: true);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-max-length"] = 1, ["x-overflow"] = "reject-publish" });
            await channel.QueueBindAsync(queue, destination, "#");
        }
        var batch = Enumerable.Range(0, 4).Select(i => NewEnvelope(destination, i)).ToList();

        var ex = await Assert.ThrowsAsync<BatchPublishException>(() => transport.SendBatchAsync(batch, CancellationToken.None));
        Assert.Equal(batch.Skip(1).Select(e => e.MessageId), ex.Failures.Select(f => f.MessageId));
        Assert.All(ex.Failures, f => Assert.Equal(PublishFailure.Rejected, f.Failure));
        Assert.Equal(1u, await BrokerQueues.ReadyCountAsync(broker, queue));
    }

    [Fact]
    public async Task Returned_publishes_fail_as_unroutable_by_message_id_even_when_one_id_is_published_twice()
    {
        var (provider, transport) = TestHost.Transport(broker);
        await using var _ = provider;
        var bound = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([bound], CancellationToken.None);
        var nowhere = Names.Unique("nowhere");
        var twice = NewEnvelope(nowhere);
        var batch = new[] { NewEnvelope(bound.Destinations[0]), twice, NewEnvelope(bound.Destinations[0]), twice, NewEnvelope(bound.Destinations[0]) };

        var ex = await Assert.ThrowsAsync<BatchPublishException>(() => transport.SendBatchAsync(batch, CancellationToken.None));
        Assert.Equal([twice.MessageId, twice.MessageId], ex.Failures.Select(f => f.MessageId));
        Assert.All(ex.Failures, f => Assert.Equal(PublishFailure.Unroutable, f.Failure));
        Assert.Equal(3u, await BrokerQueues.ReadyCountAsync(broker, bound.Name));
    }

    [Fact]
    public async Task With_one_confirm_outstanding_at_a_time_a_batch_reaches_the_queue_in_order()
    {
        var (provider, transport) = TestHost.Transport(broker, new Dictionary<string, string?>(NoSingleActiveConsumer) { ["Messaging:RabbitMq:MaxOutstandingConfirms"] = "1" });
        await using var _ = provider;
        var endpoint = new ConsumerEndpoint(Names.Unique("ep"), [Names.Unique("dest")]);
        await transport.PrepareAsync([endpoint], CancellationToken.None);
        var batch = Enumerable.Range(0, 50).Select(i => NewEnvelope(endpoint.Destinations[0], i)).ToList();
        await transport.SendBatchAsync(batch, CancellationToken.None);

        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var order = new List<string>();
        while (await channel.BasicGetAsync(endpoint.Name, autoAck: true) is { } got) order.Add(got.BasicProperties.MessageId!);
        Assert.Equal(batch.Select(e => e.MessageId), order);
    }

    [Fact]
    public async Task A_publish_that_gives_up_frees_its_place_so_later_publishes_are_confirmed()
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false));
        var queue = (await channel.QueueDeclareAsync(Names.Unique("q"), durable: true, exclusive: false, autoDelete: false)).QueueName;
        var tracker = new ConfirmTracker(channel, maxOutstanding: 2);
        var gaveUp = 0;
        for (var i = 0; i < 40; i++)
        {
            // Cancelled at every stage: waiting in line, publishing, or awaiting the confirm; every fifth before it starts,
            // so some give up however fast the broker confirms (a run where all 40 beat their 0-2 ms failed once).
            using var soon = new CancellationTokenSource(i % 5 == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Random.Shared.Next(1, 20_000)));
            try { await tracker.PublishAsync("", queue, Properties(i), new byte[] { 1 }, soon.Token); }
            catch (OperationCanceledException) { gaveUp++; }
        }
        using var patient = new CancellationTokenSource(Deadline);
        await Task.WhenAll(Enumerable.Range(100, 5).Select(i => tracker.PublishAsync("", queue, Properties(i), new byte[] { 1 }, patient.Token)));
        Assert.True(gaveUp > 0, "some publishes gave up");

        static BasicProperties Properties(int i) => new() { MessageId = $"m-{i}", Persistent = true };
    }
}
