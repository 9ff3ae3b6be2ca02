using Confluent.Kafka;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// One consumer group member. A dedicated thread polls and owns the consumer; records are handed to
/// per-partition work (<see cref="PartitionWork"/>) and handled off that thread, up to
/// <see cref="KafkaOptions.MaxConcurrency"/> at once, in offset order per partition or per key
/// (<see cref="KafkaOrderingMode"/>). After every poll the contiguous watermark of each partition is stored;
/// librdkafka's auto-commit commits stored offsets in the background, and revoke and shutdown commit at
/// once after draining. Polling never waits for a handler, so a slow handler cannot break
/// <c>max.poll.interval.ms</c>; busy partitions are paused instead.
/// </summary>
internal sealed class KafkaConsumerLoop
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private const int MaxBatch = 500;
    private readonly ConsumerEndpoint _endpoint;
    private readonly KafkaOptions _options;
    private readonly KafkaRecordHandler _handler;
    private readonly KafkaClientEvents _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public KafkaConsumerLoop(ConsumerEndpoint endpoint, MessageProcessor processor, KafkaOptions options, KafkaSender sender, KafkaClientEvents events, TimeProvider time, ILogger logger,
        IDeadLetterRecorder? recorder = null)
    {
        _endpoint = endpoint;
        _options = options;
        _events = events;
        _logger = logger;
        _time = time;
        _handler = new KafkaRecordHandler(processor, options, sender, time, logger) { Recorder = recorder, Endpoint = endpoint.Name };
    }

    public Task RunAsync(CancellationToken stoppingToken)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                finished.TrySetResult();
            }
            catch (Exception ex)
            {
                finished.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"kafka-consumer {_endpoint.Name}",
        };
        thread.Start();
        return finished.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        using var room = new BufferRoom(_options.MaxBufferedPerPartition, _time);
        var partitions = new AssignedPartitions(_endpoint.Name, _options, room, _time, stoppingToken,
            p => new PartitionWork(p, _options.OrderingMode, stoppingToken, _handler.Slots, room, _time, _handler.HandleAsync), _logger);
        using var consumer = Build(partitions);
        var progress = new ConsumerProgress(_endpoint.Name, _options, _events.Health, _time);
        consumer.Subscribe(_endpoint.Destinations);
        Log.Subscribed(_logger, _endpoint.Name, string.Join(", ", _endpoint.Destinations));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Records already fetched are taken in one go (up to MaxBatch, and only while their partition has
                // room), so the lanes start once per batch rather than once per record.
                var record = Consume(consumer, PollTimeout);
                for (var taken = 1; record is not null && partitions.Dispatch(record) && taken < MaxBatch; taken++)
                    record = Consume(consumer, TimeSpan.Zero);
                partitions.Maintain(consumer);
                progress.Observe(partitions);
            }
        }
        finally
        {
            Stop(consumer, partitions);
            progress.Stopped();
        }
    }

    private void Stop(IConsumer<string?, byte[]> consumer, AssignedPartitions partitions)
    {
        partitions.Revoke(consumer, partitions.All()); // drains (handlers see the stop token), commits watermarks
        try
        {
            consumer.Close(); // leaves the group, so the partitions move to another member at once
            Log.ConsumerStopped(_logger, _endpoint.Name);
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(_logger, _endpoint.Name, $"close: {ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    private ConsumeResult<string?, byte[]>? Consume(IConsumer<string?, byte[]> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            Log.ConsumeError(_logger, _endpoint.Name, $"{ex.Error.Code}: {ex.Error.Reason}");
            return null;
        }
        catch (KafkaException ex) when (ex.Error.IsFatal)
        {
            Log.ConsumerFatal(_logger, _endpoint.Name, ex.Error.Code.ToString(), ex.Error.Reason);
            throw new MessagingException($"Kafka consumer group '{_endpoint.Name}' failed: {ex.Error.Code}: {ex.Error.Reason}", ex);
        }
    }

    private IConsumer<string?, byte[]> Build(AssignedPartitions partitions) =>
        new ConsumerBuilder<string?, byte[]>(KafkaClientConfig.Consumer(_options, _endpoint.Name))
            .SetErrorHandler((_, e) => _events.OnError("consumer " + _endpoint.Name, e))
            .SetLogHandler((_, m) => OnClientLog(m))
            .SetPartitionsAssignedHandler((_, assigned) =>
            {
                partitions.Assign(assigned);
                _events.BrokerAnswered();
                Log.PartitionsAssigned(_logger, _endpoint.Name, Describe(assigned));
            })
            .SetPartitionsRevokedHandler((c, revoked) =>
            {
                var list = revoked.Select(p => p.TopicPartition).ToList();
                var outcome = partitions.Revoke(c, list);
                Log.PartitionsRevoked(_logger, _endpoint.Name, Describe(list), outcome);
            })
            .SetPartitionsLostHandler((_, lost) =>
            {
                var list = lost.Select(p => p.TopicPartition).ToList();
                partitions.Lose(list);
                Log.PartitionsLost(_logger, _endpoint.Name, Describe(list));
            })
            .Build();

    /// <summary>librdkafka logs (facility OFFSET, level Warning) when a fetch at the position fails with
    /// OFFSET_OUT_OF_RANGE and it applies auto.offset.reset; below the log start that means records were deleted
    /// unhandled. No error event or exception carries it, so the log line is where it can be seen.</summary>
    private void OnClientLog(LogMessage message)
    {
        if (message.Facility == "OFFSET" && message.Message.Contains("offset reset", StringComparison.Ordinal)
            && message.Message.Contains("out of range", StringComparison.OrdinalIgnoreCase))
        {
            KafkaTelemetry.RecordOutOfRangeReset(_endpoint.Name);
            Log.RecordsDeletedBeforeConsumed(_logger, _endpoint.Name, message.Message);
            return;
        }
        _events.OnLog("consumer " + _endpoint.Name, message);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));
}
