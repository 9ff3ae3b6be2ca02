using System.Text.Json;
using Confluent.Kafka;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// Kafka on the configured cluster (librdkafka's mock cluster here): produce with acks=all and idempotence in
/// awaited batches, and consume with offsets stored after the handler. The raw side uses the same producer and
/// consumer settings as our transport (KafkaClientConfig), so only the library's own work differs.
/// </summary>
public static class KafkaScenarios
{
    public const int Batch = 1000;

    public static Scenario Produce(int bodyBytes) => new(
        $"kafka.produce.batch{Batch}.{Payloads.Size(bodyBytes)}", 1.0,
        () => [new OursProduce(bodyBytes), new RawProduce(bodyBytes)],
        $"ours: IEnvelopeFactory.Create + IMessageTransport.SendBatchAsync of {Batch}, awaited; raw: Produce with a delivery handler per message, batch awaited; "
        + "acks=all, idempotence, linger 5 ms for both; latency = one batch's round trip",
        new Target("ours >= 0.85 x raw", r => r.Ratio >= 0.85)); // issue 17

    public static Scenario Consume(int bodyBytes) => new(
        $"kafka.consume.{Payloads.Size(bodyBytes)}", 1.0,
        () => [new OursConsume(bodyBytes), new RawConsume(bodyBytes)],
        "a new consumer group reads a topic preloaded (untimed) with N records, handler no-op after deserializing, offset stored after it; "
        + "rate from the first to the last record (group join excluded)",
        new Target("ours >= 0.85 x raw", r => r.Ratio >= 0.85));

    /// <summary>The producer settings of our transport (src/Transports.Kafka/KafkaClientConfig.cs), for the raw side.</summary>
    public static ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BenchEnvironment.Kafka,
        ClientId = "bench-raw-producer",
        Acks = Acks.All,
        EnableIdempotence = true,
        MaxInFlight = 5,
        LingerMs = 5,
        Partitioner = Partitioner.Murmur2Random,
        EnableDeliveryReports = true,
        DeliveryReportFields = "status",
        AllowAutoCreateTopics = true,
    };

    public static ConsumerConfig ConsumerConfig(string group) => new()
    {
        BootstrapServers = BenchEnvironment.Kafka,
        ClientId = "bench-raw-consumer",
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = true,
        EnableAutoOffsetStore = false,
        AllowAutoCreateTopics = true,
        EnablePartitionEof = false,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
    };

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static Dictionary<string, string?> OurSettings(string endpoint) => new()
    {
        ["Messaging:Transport"] = "Kafka",
        ["Messaging:Endpoint"] = endpoint,
    };

    /// <summary>Raw producer: one delivery handler per message, a batch completes when all its reports arrived.</summary>
    public sealed class RawProducer : IDisposable
    {
        private readonly IProducer<string?, byte[]> _producer = new ProducerBuilder<string?, byte[]>(ProducerConfig()).Build();

        public Task ProduceBatchAsync(string topic, int first, int count, int bodyBytes)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pending = count;
            Exception? failure = null;
            void OnReport(DeliveryReport<string?, byte[]> report)
            {
                if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
                    failure ??= new InvalidOperationException($"not persisted: {report.Status} {report.Error.Reason}");
                if (Interlocked.Decrement(ref pending) == 0)
                {
                    if (failure is null) done.TrySetResult();
                    else done.TrySetException(failure);
                }
            }
            for (var i = first; i < first + count; i++)
            {
                var message = Payloads.Message(i, bodyBytes);
                var record = new Message<string?, byte[]>
                {
                    Key = message.Key,
                    Value = JsonSerializer.SerializeToUtf8Bytes(message),
                    Headers = [new Header("message-id", System.Text.Encoding.UTF8.GetBytes(Guid.CreateVersion7().ToString("D")))],
                };
                while (true)
                {
                    try
                    {
                        _producer.Produce(topic, record, OnReport);
                        break;
                    }
                    catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        _producer.Poll(TimeSpan.FromMilliseconds(5));
                    }
                }
            }
            return done.Task;
        }

        public void Dispose()
        {
            _producer.Flush(TimeSpan.FromSeconds(10));
            _producer.Dispose();
        }
    }

    private sealed class OursProduce(int bodyBytes) : Contender(Ours)
    {
        private readonly string _topic = Unique("bench-produce-ours");
        private IHost? _host;
        private IMessageTransport? _transport;
        private IEnvelopeFactory? _envelopes;

        public override async Task SetupAsync(CancellationToken ct)
        {
            _host = OurHost.Build(OurSettings("bench-producer"), m => m.Map<BenchMessage>(_topic, x => x.Key, name: "bench-message"));
            await _host.StartAsync(ct);
            _transport = _host.Services.GetRequiredService<IMessageTransport>();
            _envelopes = _host.Services.GetRequiredService<IEnvelopeFactory>();
        }

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Load.BatchesAsync(messages, Batch, (first, count) =>
            {
                var batch = new Envelope[count];
                for (var i = 0; i < count; i++) batch[i] = _envelopes!.Create(Payloads.Message(first + i, bodyBytes), typeof(BenchMessage));
                return _transport!.SendBatchAsync(batch, ct);
            }, ct);

        public override async ValueTask DisposeAsync() => await OurHost.StopQuietlyAsync(_host);
    }

    private sealed class RawProduce(int bodyBytes) : Contender(Raw)
    {
        private readonly string _topic = Unique("bench-produce-raw");
        private RawProducer? _producer;

        public override Task SetupAsync(CancellationToken ct)
        {
            _producer = new RawProducer();
            return Task.CompletedTask;
        }

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Load.BatchesAsync(messages, Batch, (first, count) => _producer!.ProduceBatchAsync(_topic, first, count, bodyBytes), ct);

        public override ValueTask DisposeAsync()
        {
            _producer?.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class OursConsume(int bodyBytes) : Contender(Ours)
    {
        private IHost? _loader;
        private IHost? _consumer;
        private string _topic = "";

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            // A new topic per run: the mock cluster keeps only about 5 MB per partition.
            _topic = Unique("bench-consume-ours");
            await OurHost.StopQuietlyAsync(_loader);
            _loader = OurHost.Build(OurSettings("bench-loader"), m => m.Map<BenchMessage>(_topic, x => x.Key, name: "bench-message"));
            await _loader.StartAsync(ct);
            var transport = _loader.Services.GetRequiredService<IMessageTransport>();
            var envelopes = _loader.Services.GetRequiredService<IEnvelopeFactory>();
            await Load.BatchesAsync(messages, Batch, (first, count) =>
            {
                var batch = new Envelope[count];
                for (var i = 0; i < count; i++) batch[i] = envelopes.Create(Payloads.Message(first + i, bodyBytes), typeof(BenchMessage));
                return transport.SendBatchAsync(batch, ct);
            }, ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _consumer = OurHost.Build(OurSettings(Unique("bench-group-ours")), m => m
                .Map<BenchMessage>(_topic, x => x.Key, name: "bench-message")
                .AddHandler<BenchMessage, NoopHandler>("noop"));
            return await OurHost.StartAndWaitForHandledAsync(_consumer, messages, ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            await OurHost.StopQuietlyAsync(_consumer);
            _consumer = null;
        }

        public override async ValueTask DisposeAsync() => await OurHost.StopQuietlyAsync(_loader);
    }

    private sealed class RawConsume(int bodyBytes) : Contender(Raw)
    {
        private readonly Probe _probe = new();
        private RawProducer? _loader;
        private string _topic = "";
        private CancellationTokenSource? _stop;
        private Thread? _thread;

        public override Task SetupAsync(CancellationToken ct)
        {
            _loader = new RawProducer();
            return Task.CompletedTask;
        }

        public override Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            _topic = Unique("bench-consume-raw");
            return Load.BatchesAsync(messages, Batch, (first, count) => _loader!.ProduceBatchAsync(_topic, first, count, bodyBytes), ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _probe.Reset(messages);
            var stop = _stop = new CancellationTokenSource();
            var group = Unique("bench-group-raw");
            var topic = _topic;
            _thread = new Thread(() =>
            {
                using var consumer = new ConsumerBuilder<string?, byte[]>(ConsumerConfig(group)).Build();
                consumer.Subscribe(topic);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                        if (record is null) continue;
                        var message = JsonSerializer.Deserialize<BenchMessage>(record.Message.Value);
                        if (message is not null) _probe.Hit();
                        consumer.StoreOffset(record);
                    }
                }
                finally
                {
                    try { consumer.Commit(); } catch (KafkaException) { /* nothing stored */ }
                    consumer.Close();
                }
            }) { IsBackground = true, Name = "raw kafka consumer" };
            _thread.Start();
            return await _probe.WaitAsync(messages, ct);
        }

        public override Task AfterRunAsync(CancellationToken ct)
        {
            _stop?.Cancel();
            _thread?.Join(TimeSpan.FromSeconds(30));
            _stop?.Dispose();
            _stop = null;
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            _loader?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
