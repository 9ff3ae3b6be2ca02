using System.Text.Json;
using Messaging.Benchmarks.Harness;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Reads the queue with manual acks and a prefetch, hands each delivery to the lane of its routing key (the
/// partition key), and acks once per applied batch with <c>multiple</c> up to the <see cref="AckWatermark"/>: never
/// before the batch's transaction committed, never past a delivery that another lane has not applied yet.
/// </summary>
internal sealed class RawRabbitConsumer : IAsyncDisposable
{
    private readonly SemaphoreSlim _ackGate = new(1, 1);
    private readonly AckWatermark _watermark = new();
    private IConnection? _connection;
    private IChannel? _channel;
    private RawInboxLanes? _lanes;

    public static async Task<RawRabbitConsumer> StartAsync(string queue, ushort prefetch, int lanes, NpgsqlDataSource dataSource, Action<Exception> fault, CancellationToken ct)
    {
        var consumer = new RawRabbitConsumer();
        consumer._lanes = await RawInboxLanes.StartAsync(dataSource, lanes, consumer.AckAsync, fault, ct).ConfigureAwait(false);
        consumer._connection = await RabbitAdmin.Factory("bench-e2e-raw-consumer").CreateConnectionAsync(ct).ConfigureAwait(false);
        var channel = consumer._channel = await consumer._connection.CreateChannelAsync(cancellationToken: ct).ConfigureAwait(false);
        await channel.BasicQosAsync(0, prefetch, global: false, ct).ConfigureAwait(false);
        var receiver = new AsyncEventingBasicConsumer(channel);
        receiver.ReceivedAsync += (_, delivery) =>
        {
            try
            {
                consumer.Receive(delivery);
            }
            catch (Exception ex)
            {
                fault(ex);
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, receiver, ct).ConfigureAwait(false);
        return consumer;
    }

    /// <summary>On the client's dispatch thread, in delivery order; the body is only valid until this returns, so it is read here.</summary>
    private void Receive(BasicDeliverEventArgs delivery)
    {
        var order = JsonSerializer.Deserialize(delivery.Body.Span, RawJson.Default.OrderPlaced)
            ?? throw new InvalidOperationException("empty body");
        var messageId = Guid.Parse(delivery.BasicProperties.MessageId ?? throw new InvalidOperationException("no message-id"));
        var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(delivery.RoutingKey) % (uint)_lanes!.Count);
        _lanes.Post(lane, new ReceivedOrder(messageId, order, 0, (long)delivery.DeliveryTag));
    }

    private async Task AckAsync(ReceivedOrder[] batch, int count)
    {
        await _ackGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var upTo = _watermark.Complete(batch.AsSpan(0, count));
            if (upTo > 0) await _channel!.BasicAckAsync((ulong)upTo, multiple: true).ConfigureAwait(false);
        }
        finally
        {
            _ackGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            try { await _channel.CloseAsync().ConfigureAwait(false); } catch (Exception) { /* closing */ }
        }
        // Closing the channel first: the lanes' last acks then fail quietly into the fault callback, never hang.
        if (_lanes is not null) await _lanes.DisposeAsync().ConfigureAwait(false);
        _channel?.Dispose();
        if (_connection is not null)
        {
            try { await _connection.CloseAsync().ConfigureAwait(false); } catch (Exception) { /* closing */ }
            _connection.Dispose();
        }
        _ackGate.Dispose();
    }
}
