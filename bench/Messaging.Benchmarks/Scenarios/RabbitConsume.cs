using System.Text.Json;
using MassTransit;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// Consume with manual ack from a durable queue preloaded (untimed) with N messages in each contender's own format;
/// the rate spans the first to the last handled message, so consumer start-up is excluded for everyone.
/// </summary>
public static class RabbitConsume
{
    public static Scenario Create(int bodyBytes, string queueType, int prefetch)
    {
        var name = $"rabbitmq.consume.prefetch{prefetch}.{Payloads.Size(bodyBytes)}.{queueType}";
        var note = $"host with a no-op handler (deserialize, ack after handler), prefetch {prefetch}; raw: AsyncEventingBasicConsumer deserializing and acking each; "
            + "MassTransit: its default concurrency (up to the prefetch count in parallel, ours and raw handle one at a time)";
        return new Scenario(name, 1.0, () =>
        [
            new Ours(bodyBytes, queueType, prefetch),
            new Raw(bodyBytes, queueType, prefetch),
            new MassTransitSide(bodyBytes, queueType, prefetch),
        ], note, new Target("ours >= 0.85 x raw, ahead of MassTransit", r => r.Ratio >= 0.85 && (r.MassTransit is null || r.Ours > r.MassTransit)));
    }

    private sealed class Ours(int bodyBytes, string queueType, int prefetch) : Contender(Ours)
    {
        private readonly string _queue = $"bench.consume.ours.{queueType}";
        private string Exchange => _queue + ".x";
        private readonly RabbitAdmin _admin = new();
        private IHost? _loader;
        private IHost? _consumer;

        private Dictionary<string, string?> Settings() => new()
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:Endpoint"] = _queue,
            ["Messaging:RabbitMq:QueueType"] = queueType == "quorum" ? "Quorum" : "Classic",
            ["Messaging:RabbitMq:Prefetch"] = prefetch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([_queue, _queue + ".dlq"], ct);
            _loader = OurHost.Build(Settings(), m => m.Map<BenchMessage>(Exchange, x => x.Key, name: "bench-message"));
            await _loader.StartAsync(ct);
            await _loader.Services.GetRequiredService<IMessageTransport>().PrepareAsync([new ConsumerEndpoint(_queue, [Exchange])], ct);
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            await _admin.PurgeAsync(_queue, ct);
            var publisher = _loader!.Services.GetRequiredService<IMessagePublisher>();
            await Load.WindowedAsync(messages, 256, i => publisher.PublishAsync(Payloads.Message(i, bodyBytes), cancellationToken: ct), ct);
            await _admin.WaitForReadyAsync(_queue, messages, ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _consumer = OurHost.Build(Settings(), m => m
                .Map<BenchMessage>(Exchange, x => x.Key, name: "bench-message")
                .AddHandler<BenchMessage, NoopHandler>("noop"));
            return await OurHost.StartAndWaitForHandledAsync(_consumer, messages, ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            await OurHost.StopQuietlyAsync(_consumer);
            _consumer = null;
        }

        public override async ValueTask DisposeAsync()
        {
            await OurHost.StopQuietlyAsync(_loader);
            await _admin.DeleteQueuesAsync([_queue, _queue + ".dlq"], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }

    private sealed class Raw(int bodyBytes, string queueType, int prefetch) : Contender(Raw)
    {
        private readonly string _queue = $"bench.consume.raw.{queueType}";
        private string Exchange => _queue + ".x";
        private readonly RabbitAdmin _admin = new();
        private readonly Probe _probe = new();
        private RawRabbitPublisher? _loader;
        private IConnection? _connection;
        private IChannel? _channel;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([_queue], ct);
            await _admin.DeclareBoundQueueAsync(Exchange, "topic", _queue, queueType, ct);
            _loader = await RawRabbitPublisher.CreateAsync(Exchange, ct);
            _connection = await RabbitAdmin.Factory("bench-raw-consumer").CreateConnectionAsync(ct);
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            await _admin.PurgeAsync(_queue, ct);
            await Load.WindowedAsync(messages, 256, i => _loader!.PublishAsync(Payloads.Message(i, bodyBytes), ct), ct);
            await _admin.WaitForReadyAsync(_queue, messages, ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _probe.Reset(messages);
            var channel = _channel = await _connection!.CreateChannelAsync(cancellationToken: ct);
            await channel.BasicQosAsync(0, (ushort)prefetch, global: false, ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                var message = JsonSerializer.Deserialize<BenchMessage>(delivery.Body.Span);
                if (message is not null) _probe.Hit();
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            };
            await channel.BasicConsumeAsync(_queue, autoAck: false, consumer, ct);
            return await _probe.WaitAsync(messages, ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            if (_channel is null) return;
            try { await _channel.CloseAsync(ct); } catch (Exception) { /* closing */ }
            _channel.Dispose();
            _channel = null;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_loader is not null) await _loader.DisposeAsync();
            if (_connection is not null)
            {
                try { await _connection.CloseAsync(); } catch (Exception) { /* closing */ }
                _connection.Dispose();
            }
            await _admin.DeleteQueuesAsync([_queue], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }

    private sealed class MassTransitSide(int bodyBytes, string queueType, int prefetch) : Contender(MassTransit)
    {
        private readonly string _queue = $"bench.consume.mt.{queueType}";
        private string Exchange => _queue + ".x";
        private readonly RabbitAdmin _admin = new();
        private readonly Probe _probe = new();
        private IBusControl? _loader;
        private IBusControl? _consumer;

        public override async Task SetupAsync(CancellationToken ct)
        {
            if (queueType != "quorum") throw new NotSupportedException("the MassTransit consumer is set up for quorum queues only");
            await _admin.DeleteQueuesAsync([_queue], ct);
            await _admin.DeleteExchangesAsync([_queue, Exchange], ct);
            // Start the consumer once so that MassTransit declares its queue and bindings, then stop it.
            var declare = MassTransitBuses.Consumer(Exchange, _queue, prefetch, _probe);
            await declare.StartAsync(ct);
            await declare.StopAsync(ct);
            _loader = MassTransitBuses.Publisher(Exchange);
            await _loader.StartAsync(ct);
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            await _admin.PurgeAsync(_queue, ct);
            await Load.WindowedAsync(messages, 256, i => MassTransitBuses.PublishAsync(_loader!, Payloads.Message(i, bodyBytes), ct), ct);
            await _admin.WaitForReadyAsync(_queue, messages, ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _probe.Reset(messages);
            _consumer = MassTransitBuses.Consumer(Exchange, _queue, prefetch, _probe);
            await _consumer.StartAsync(ct);
            return await _probe.WaitAsync(messages, ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            if (_consumer is not null) await _consumer.StopAsync(ct);
            _consumer = null;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_loader is not null) await _loader.StopAsync(CancellationToken.None);
            await _admin.DeleteQueuesAsync([_queue], CancellationToken.None);
            await _admin.DeleteExchangesAsync([_queue, Exchange], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }
}
