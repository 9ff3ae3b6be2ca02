using Confluent.Kafka;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>
/// One consumer group member on a dedicated thread. Records are handled one at a time in offset order;
/// a record's offset is stored only after the processor returned (and, for a dead letter, after the
/// dead-letter topic confirmed it). librdkafka's auto-commit commits stored offsets in the background;
/// partition revoke and shutdown commit them at once. Rebalance callbacks run inside Consume, between
/// two records, so a revoke never overtakes a message that is being handled.
/// </summary>
internal sealed class KafkaConsumerLoop(
    ConsumerEndpoint endpoint,
    MessageProcessor processor,
    KafkaOptions options,
    KafkaSender sender,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProcessorFailureDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDeadLetterRetryDelay = TimeSpan.FromSeconds(30);

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
            Name = $"kafka-consumer {endpoint.Name}",
        };
        thread.Start();
        return finished.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = Build();
        consumer.Subscribe(endpoint.Destinations);
        Log.Subscribed(logger, endpoint.Name, string.Join(", ", endpoint.Destinations));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var record = Consume(consumer);
                if (record is null) continue;
                if (!Handle(consumer, record, stoppingToken)) break;
            }
        }
        finally
        {
            Commit(consumer);
            try
            {
                consumer.Close(); // leaves the group, so the partitions move to another member at once
                Log.ConsumerStopped(logger, endpoint.Name);
            }
            catch (KafkaException ex)
            {
                Log.CommitFailed(logger, endpoint.Name, $"close: {ex.Error.Code}: {ex.Error.Reason}");
            }
        }
    }

    private ConsumeResult<string?, byte[]>? Consume(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            return consumer.Consume(PollTimeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            Log.ConsumeError(logger, endpoint.Name, $"{ex.Error.Code}: {ex.Error.Reason}");
            return null;
        }
        catch (KafkaException ex) when (ex.Error.IsFatal)
        {
            Log.ConsumerFatal(logger, endpoint.Name, ex.Error.Code.ToString(), ex.Error.Reason);
            throw new MessagingException($"Kafka consumer group '{endpoint.Name}' failed: {ex.Error.Code}: {ex.Error.Reason}", ex);
        }
    }

    /// <summary>Processes one record; false when stopping interrupted it (its offset is then not stored).</summary>
    private bool Handle(IConsumer<string?, byte[]> consumer, ConsumeResult<string?, byte[]> record, CancellationToken stoppingToken)
    {
        var source = KafkaEnvelopeMapper.Source(record.TopicPartitionOffset);
        ProcessingResult result;
        if (!KafkaEnvelopeMapper.TryReadEnvelope(record, out var envelope))
        {
            Log.UnreadableRecord(logger, source);
            result = ProcessingResult.DeadLettered(new DeadLetterReason(
                $"record has no {HeaderNames.MessageId} header: the envelope cannot be read", null, null, 0));
        }
        else
        {
            try
            {
                // A dedicated thread, no synchronization context: blocking here cannot deadlock.
                result = processor(new IncomingMessage(envelope, source, Redelivered: false), stoppingToken).GetAwaiter().GetResult();
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return false; // not finished: not stored, consumed again after the restart
            }
            catch (Exception ex)
            {
                // The pipeline throws only when cancelled; anything else is a bug. Do not skip the message:
                // seek back so it is consumed again (nack), after a pause.
                Log.ProcessorFailed(logger, ex, envelope.MessageId, source, (int)ProcessorFailureDelay.TotalMilliseconds);
                Seek(consumer, record.TopicPartitionOffset);
                return !stoppingToken.WaitHandle.WaitOne(ProcessorFailureDelay);
            }
        }
        if (result.Status == ProcessingStatus.DeadLetter
            && !DeadLetter(record, envelope, result.DeadLetter ?? new DeadLetterReason("dead-lettered", null, null, 0), source, stoppingToken))
            return false;
        StoreOffset(consumer, record);
        return true;
    }

    /// <summary>Publishes the record to its dead-letter topic, retrying until confirmed; false when stopped first.</summary>
    private bool DeadLetter(ConsumeResult<string?, byte[]> record, Envelope envelope, DeadLetterReason reason, string source, CancellationToken stoppingToken)
    {
        var topic = record.Topic + options.DeadLetterTopicSuffix;
        var message = KafkaDeadLetterMessage.Create(record, envelope, reason.ToHeaders(envelope, source, time.GetUtcNow()));
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                // Waiting for the report is bounded by MessageTimeoutMs; not cut short by stopping, so a
                // dead letter already on its way is not published twice after a restart.
                sender.PublishAsync(topic, envelope.MessageId, message, CancellationToken.None).GetAwaiter().GetResult();
                return true;
            }
            catch (PublishException ex)
            {
                Log.DeadLetterPublishFailed(logger, ex, envelope.MessageId, source, topic, (int)delay.TotalMilliseconds);
                if (stoppingToken.WaitHandle.WaitOne(delay)) return false;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDeadLetterRetryDelay.Ticks));
            }
        }
    }

    private void Seek(IConsumer<string?, byte[]> consumer, TopicPartitionOffset position)
    {
        try
        {
            consumer.Seek(position);
        }
        catch (KafkaException ex)
        {
            // The partition was lost meanwhile; nothing was stored, so its new owner consumes the record.
            Log.StoreOffsetFailed(logger, endpoint.Name, position.ToString(), $"seek back failed: {ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    private void StoreOffset(IConsumer<string?, byte[]> consumer, ConsumeResult<string?, byte[]> record)
    {
        try
        {
            consumer.StoreOffset(record); // stores offset + 1: the next record to read
        }
        catch (KafkaException ex)
        {
            // The partition was lost meanwhile; its new owner consumes the record again.
            Log.StoreOffsetFailed(logger, endpoint.Name, record.TopicPartitionOffset.ToString(), $"{ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    private void Commit(IConsumer<string?, byte[]> consumer)
    {
        try
        {
            consumer.Commit(); // the stored offsets
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
        {
            // nothing stored since the last commit
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(logger, endpoint.Name, $"{ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    private IConsumer<string?, byte[]> Build() =>
        new ConsumerBuilder<string?, byte[]>(KafkaClientConfig.Consumer(options, endpoint.Name))
            .SetErrorHandler((_, e) => Log.ClientError(logger, "consumer " + endpoint.Name, e.Code.ToString(), e.Reason))
            .SetLogHandler((_, m) => Log.ClientLog(logger, "consumer " + endpoint.Name, m.Facility, m.Message))
            .SetPartitionsAssignedHandler((_, partitions) => Log.PartitionsAssigned(logger, endpoint.Name, Describe(partitions)))
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                Commit(c); // every stored offset belongs to a finished message: nothing is being handled now
                Log.PartitionsRevoked(logger, endpoint.Name, Describe(partitions.Select(p => p.TopicPartition)));
            })
            .SetPartitionsLostHandler((_, partitions) => Log.PartitionsLost(logger, endpoint.Name, Describe(partitions.Select(p => p.TopicPartition))))
            .Build();

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));
}
