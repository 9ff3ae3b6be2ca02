using System.Text.Json;
using Confluent.Kafka;
using Messaging.Benchmarks.Harness;
using Npgsql;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Reads the topic on one thread (our transport's consumer settings: <see cref="KafkaScenarios.ConsumerConfig"/>,
/// auto-commit of stored offsets only), hands each record to the lane of its partition, and stores a partition's
/// next offset once the batch carrying it committed. A partition lives in one lane, so its stored offset only moves
/// forward over applied records; the background commit then commits nothing ahead of the database.
/// </summary>
internal sealed class RawKafkaConsumer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IConsumer<Ignore, byte[]> _consumer;
    private readonly string _topic;
    private RawInboxLanes? _lanes;
    private Thread? _thread;

    private RawKafkaConsumer(string topic, string group)
    {
        _topic = topic;
        _consumer = new ConsumerBuilder<Ignore, byte[]>(KafkaScenarios.ConsumerConfig(group)).Build();
    }

    public static async Task<RawKafkaConsumer> StartAsync(string topic, string group, int lanes, NpgsqlDataSource dataSource, Action<Exception> fault, CancellationToken ct)
    {
        await EnsureTopicAsync(topic, ct).ConfigureAwait(false);
        var consumer = new RawKafkaConsumer(topic, group);
        consumer._lanes = await RawInboxLanes.StartAsync(dataSource, lanes, consumer.StoreOffsets, fault, ct).ConfigureAwait(false);
        consumer._thread = new Thread(() => consumer.Poll(fault)) { IsBackground = true, Name = "raw e2e kafka consumer" };
        consumer._thread.Start();
        return consumer;
    }

    /// <summary>A metadata request that lets the cluster auto-create the topic (the mock does), until it has partitions.</summary>
    private static async Task EnsureTopicAsync(string topic, CancellationToken ct)
    {
        var config = new AdminClientConfig { BootstrapServers = BenchEnvironment.Kafka, ClientId = "bench-e2e-raw-admin" };
        config.Set("allow.auto.create.topics", "true");
        using var admin = new AdminClientBuilder(config).Build();
        while (admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.FirstOrDefault(t => t.Topic == topic) is not { Error.IsError: false, Partitions.Count: > 0 })
            await Task.Delay(200, ct).ConfigureAwait(false);
    }

    private void Poll(Action<Exception> fault)
    {
        try
        {
            _consumer.Subscribe(_topic);
            while (!_stop.IsCancellationRequested)
            {
                ConsumeResult<Ignore, byte[]>? record;
                try
                {
                    record = _consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    continue; // for example the topic's metadata not there yet: librdkafka retries
                }
                if (record is null) continue;
                var order = JsonSerializer.Deserialize(record.Message.Value, RawJson.Default.OrderPlaced) ?? throw new InvalidOperationException("empty body");
                if (!record.Message.Headers.TryGetLastBytes(RawWire.MessageIdHeader, out var id)) throw new InvalidOperationException("no message-id header");
                var partition = record.Partition.Value;
                _lanes!.Post(partition % _lanes.Count, new ReceivedOrder(new Guid(id), order, partition, record.Offset.Value));
            }
        }
        catch (Exception ex)
        {
            fault(ex);
        }
    }

    /// <summary>After a lane's batch committed: each partition's next offset (the batch holds a partition's records in order).</summary>
    private Task StoreOffsets(ReceivedOrder[] batch, int count)
    {
        var last = new Dictionary<int, long>();
        for (var i = 0; i < count; i++) last[batch[i].Partition] = batch[i].Position;
        foreach (var (partition, offset) in last)
        {
            try
            {
                _consumer.StoreOffset(new TopicPartitionOffset(_topic, partition, offset + 1));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // The partition was revoked meanwhile: its next owner reads it again, and the inbox skips what is applied.
            }
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _thread?.Join(TimeSpan.FromSeconds(30));
        if (_lanes is not null) await _lanes.DisposeAsync().ConfigureAwait(false);
        try { _consumer.Commit(); } catch (KafkaException) { /* nothing stored */ }
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }
}
