using Confluent.Kafka;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Produces a batch with acks=all and idempotence (our transport's producer settings, <see cref="KafkaScenarios.ProducerConfig"/>):
/// key = partition key (murmur2_random, so one key stays on one partition), the message id in a header; the batch
/// completes when every delivery report said persisted, and throws otherwise. Idempotence keeps a partition's order
/// across the producer's own retries.
/// </summary>
internal sealed class RawKafkaSender(string topic) : IRawSender
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(KafkaScenarios.ProducerConfig()).Build();

    public Task SendAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = rows.Count;
        Exception? failure = null;
        void OnReport(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
                failure ??= new InvalidOperationException($"not persisted: {report.Status} {report.Error.Code}: {report.Error.Reason}");
            if (Interlocked.Decrement(ref pending) != 0) return;
            if (failure is null) done.TrySetResult();
            else done.TrySetException(failure);
        }
        foreach (var row in rows)
        {
            var message = new Message<string, byte[]>
            {
                Key = row.PartitionKey,
                Value = row.Body,
                Headers = [new Header(RawWire.MessageIdHeader, row.MessageId.ToByteArray())],
            };
            while (true)
            {
                try
                {
                    _producer.Produce(topic, message, OnReport);
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }
        return done.Task.WaitAsync(ct);
    }

    public ValueTask DisposeAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
