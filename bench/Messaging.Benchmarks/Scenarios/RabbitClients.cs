using System.Text.Json;
using MassTransit;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using RabbitMQ.Client;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// The raw RabbitMQ.Client 7 publisher a careful user would write: a channel with publisher confirmations and
/// tracking (so BasicPublishAsync completes on the confirm), persistent, mandatory, the body serialized with
/// System.Text.Json like ours. The client's own outstanding-confirm limiter is off: the harness window limits.
/// </summary>
public sealed class RawRabbitPublisher : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _exchange;

    private RawRabbitPublisher(IConnection connection, IChannel channel, string exchange)
    {
        _connection = connection;
        _channel = channel;
        _exchange = exchange;
    }

    public static async Task<RawRabbitPublisher> CreateAsync(string exchange, CancellationToken cancellationToken)
    {
        var connection = await RabbitAdmin.Factory("bench-raw-publisher").CreateConnectionAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null), cancellationToken);
        return new RawRabbitPublisher(connection, channel, exchange);
    }

    public Task PublishAsync(BenchMessage message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = Guid.CreateVersion7().ToString("D"),
            ContentType = "application/json",
            Type = nameof(BenchMessage),
        };
        return _channel.BasicPublishAsync(_exchange, message.Key, mandatory: true, properties, body, cancellationToken).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        try { await _channel.CloseAsync(); } catch (Exception) { /* closing */ }
        _channel.Dispose();
        try { await _connection.CloseAsync(); } catch (Exception) { /* closing */ }
        _connection.Dispose();
    }
}

/// <summary>MassTransit 8.5 buses: publisher confirms on, durable (persistent) messages, the message type's exchange named explicitly.</summary>
public static class MassTransitBuses
{
    public static IBusControl Publisher(string exchange) => Bus.Factory.CreateUsingRabbitMq(cfg =>
    {
        Host(cfg);
        cfg.Message<BenchMessage>(m => m.SetEntityName(exchange));
        cfg.Publish<BenchMessage>(p => p.Durable = true);
    });

    public static IBusControl Consumer(string exchange, string queue, int prefetch, Probe probe) => Bus.Factory.CreateUsingRabbitMq(cfg =>
    {
        Host(cfg);
        cfg.Message<BenchMessage>(m => m.SetEntityName(exchange));
        cfg.ReceiveEndpoint(queue, e =>
        {
            e.SetQuorumQueue();
            e.PrefetchCount = prefetch;
            e.Handler<BenchMessage>(_ =>
            {
                probe.Hit();
                return Task.CompletedTask;
            });
        });
    });

    /// <summary>Publishes with <c>mandatory</c>, like ours and raw (MassTransit's default is not mandatory).</summary>
    public static Task PublishAsync(IBus bus, BenchMessage message, CancellationToken cancellationToken) =>
        bus.Publish(message, SetMandatory, cancellationToken);

    private static readonly Action<PublishContext<BenchMessage>> SetMandatory = static context =>
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
    };

    private static void Host(IRabbitMqBusFactoryConfigurator cfg) =>
        cfg.Host(new Uri(BenchEnvironment.RabbitUri), h => h.PublisherConfirmation = true);
}
