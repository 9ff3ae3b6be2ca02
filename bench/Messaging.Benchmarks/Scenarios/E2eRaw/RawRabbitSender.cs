using Messaging.Benchmarks.Harness;
using RabbitMQ.Client;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Publishes a batch on one channel with publisher confirms and tracking: every message persistent and
/// <c>mandatory</c>, routing key = partition key. All publishes are started, then their confirms awaited together,
/// so a batch costs one confirm round trip; a nack or a return (unroutable) throws.
/// </summary>
internal sealed class RawRabbitSender : IRawSender
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _exchange;

    private RawRabbitSender(IConnection connection, IChannel channel, string exchange)
    {
        _connection = connection;
        _channel = channel;
        _exchange = exchange;
    }

    public static async Task<RawRabbitSender> CreateAsync(string exchange, CancellationToken ct)
    {
        var connection = await RabbitAdmin.Factory("bench-e2e-raw-publisher").CreateConnectionAsync(ct).ConfigureAwait(false);
        // The client's own limiter is off: the batch is the window.
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null), ct).ConfigureAwait(false);
        return new RawRabbitSender(connection, channel, exchange);
    }

    public async Task SendAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct)
    {
        var confirms = new ValueTask[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, MessageId = row.MessageId.ToString("D") };
            confirms[i] = _channel.BasicPublishAsync(_exchange, row.PartitionKey, mandatory: true, properties, row.Body, ct);
        }
        foreach (var confirm in confirms) await confirm.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _channel.CloseAsync().ConfigureAwait(false); } catch (Exception) { /* closing */ }
        _channel.Dispose();
        try { await _connection.CloseAsync().ConfigureAwait(false); } catch (Exception) { /* closing */ }
        _connection.Dispose();
    }
}
