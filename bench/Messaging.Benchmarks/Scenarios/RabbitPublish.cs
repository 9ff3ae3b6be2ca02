using MassTransit;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>Confirmed publish to a durable exchange bound to one durable queue (classic or quorum), purged before each run.</summary>
public static class RabbitPublish
{
    public static Scenario Create(int bodyBytes, string queueType, int window)
    {
        var mode = window == 1 ? "awaited" : $"window{window}";
        var name = $"rabbitmq.publish.{mode}.{Payloads.Size(bodyBytes)}.{queueType}";
        var note = window == 1
            ? "IMessagePublisher.PublishAsync awaited one at a time (confirm per message); latency = one awaited publish"
            : $"IMessagePublisher.PublishAsync, {window} in flight (sliding window); latency = publish start to confirm";
        // Issue 17: publish >= 0.85 x raw and ahead of MassTransit in every RabbitMQ scenario, awaited ones included.
        var target = new Target("ours >= 0.85 x raw, ahead of MassTransit", r => r.Ratio >= 0.85 && (r.MassTransit is null || r.Ours > r.MassTransit));
        return new Scenario(name, window == 1 ? 0.1 : 1.0, () =>
        [
            new Ours(bodyBytes, queueType, window),
            new Raw(bodyBytes, queueType, window),
            new MassTransitSide(bodyBytes, queueType, window),
        ], note, target);
    }

    private static Task<RunSample> Drive(int messages, int window, Func<int, Task> send, CancellationToken ct) =>
        window == 1 ? Load.OneAtATimeAsync(messages, send, ct) : Load.WindowedAsync(messages, window, send, ct);

    private sealed class Ours(int bodyBytes, string queueType, int window) : Contender(Ours)
    {
        private readonly string _exchange = $"bench.pub.ours.{queueType}";
        private string Queue => _exchange + ".q";
        private readonly RabbitAdmin _admin = new();
        private IHost? _host;
        private IMessagePublisher? _publisher;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([Queue, Queue + ".dlq"], ct);
            _host = OurHost.Build(new()
            {
                ["Messaging:Transport"] = "RabbitMq",
                ["Messaging:Endpoint"] = Queue,
                ["Messaging:RabbitMq:QueueType"] = queueType == "quorum" ? "Quorum" : "Classic",
            }, m => m.Map<BenchMessage>(_exchange, x => x.Key, name: "bench-message"));
            await _host.StartAsync(ct);
            // The queue the exchange routes to (mandatory publish needs one); declared by the transport, not consumed.
            await _host.Services.GetRequiredService<IMessageTransport>().PrepareAsync([new ConsumerEndpoint(Queue, [_exchange])], ct);
            _publisher = _host.Services.GetRequiredService<IMessagePublisher>();
        }

        public override Task BeforeRunAsync(int messages, CancellationToken ct) => _admin.PurgeAsync(Queue, ct);

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Drive(messages, window, i => _publisher!.PublishAsync(Payloads.Message(i, bodyBytes), cancellationToken: ct), ct);

        public override async ValueTask DisposeAsync()
        {
            await OurHost.StopQuietlyAsync(_host);
            await _admin.DeleteQueuesAsync([Queue, Queue + ".dlq"], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }

    private sealed class Raw(int bodyBytes, string queueType, int window) : Contender(Raw)
    {
        private readonly string _exchange = $"bench.pub.raw.{queueType}";
        private string Queue => _exchange + ".q";
        private readonly RabbitAdmin _admin = new();
        private RawRabbitPublisher? _publisher;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([Queue], ct);
            await _admin.DeclareBoundQueueAsync(_exchange, "topic", Queue, queueType, ct);
            _publisher = await RawRabbitPublisher.CreateAsync(_exchange, ct);
        }

        public override Task BeforeRunAsync(int messages, CancellationToken ct) => _admin.PurgeAsync(Queue, ct);

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Drive(messages, window, i => _publisher!.PublishAsync(Payloads.Message(i, bodyBytes), ct), ct);

        public override async ValueTask DisposeAsync()
        {
            if (_publisher is not null) await _publisher.DisposeAsync();
            await _admin.DeleteQueuesAsync([Queue], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }

    private sealed class MassTransitSide(int bodyBytes, string queueType, int window) : Contender(MassTransit)
    {
        private readonly string _exchange = $"bench.pub.mt.{queueType}";
        private string Queue => _exchange + ".q";
        private readonly RabbitAdmin _admin = new();
        private IBusControl? _bus;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([Queue], ct);
            await _admin.DeleteExchangesAsync([_exchange], ct);
            // MassTransit publishes to a durable fanout exchange named after the message type (here set explicitly).
            await _admin.DeclareBoundQueueAsync(_exchange, "fanout", Queue, queueType, ct);
            _bus = MassTransitBuses.Publisher(_exchange);
            await _bus.StartAsync(ct);
        }

        public override Task BeforeRunAsync(int messages, CancellationToken ct) => _admin.PurgeAsync(Queue, ct);

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Drive(messages, window, i => MassTransitBuses.PublishAsync(_bus!, Payloads.Message(i, bodyBytes), ct), ct);

        public override async ValueTask DisposeAsync()
        {
            if (_bus is not null) await _bus.StopAsync(CancellationToken.None);
            await _admin.DeleteQueuesAsync([Queue], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }
}
