using Confluent.Kafka;
using Messaging.Publishing;

namespace Messaging.Kafka;

/// <summary>
/// The delivery reports of one batch, counted down: a record costs its handler (which knows its message id, as the
/// reports carry only the status: <c>delivery.report.fields</c>) but no task of its own. A report counts as confirmed
/// only when <see cref="Check"/> says so.
/// </summary>
internal sealed class KafkaDeliveryReports
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PublishException> _failures = [];
    private readonly KafkaClientEvents _events;
    private int _pending = 1; // the sender's own hold, released by AllReportedAsync once every record is handed over

    public KafkaDeliveryReports(KafkaClientEvents events) => _events = events;

    /// <summary>Counts one more record, about to be handed to the producer; returns the handler to pass to <c>Produce</c>.</summary>
    public Action<DeliveryReport<string?, byte[]>> Expect(string messageId)
    {
        Interlocked.Increment(ref _pending);
        return report => Report(report, messageId);
    }

    /// <summary>The record announced by <see cref="Expect"/> was not handed over after all (its failure is the caller's).</summary>
    public void Withdraw() => Release();

    /// <summary>Completes once every record handed over has its report; returns the unconfirmed ones' failures.</summary>
    public async Task<IReadOnlyList<PublishException>> AllReportedAsync(CancellationToken cancellationToken)
    {
        Release();
        await _all.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_failures) return [.. _failures];
    }

    /// <summary>Null when the report confirms the record; otherwise why not, as the <see cref="PublishException"/> for it.</summary>
    public static PublishException? Check(DeliveryReport<string?, byte[]> report, string topic, string messageId, KafkaClientEvents events)
    {
        if (report.Error.IsError) return KafkaPublishErrors.FromError(report.Error, topic, messageId, events.Health);
        if (report.Status != PersistenceStatus.Persisted) return KafkaPublishErrors.NotPersisted(report.Status, topic, messageId);
        // A broker's acknowledgement carries the record's offset. Persisted without one is librdkafka's implicit ack
        // (rd_kafka_dr_implicit_ack): a later request of the partition succeeded, so this one is taken as written. A
        // broker that checks idempotent sequence numbers makes that true; one that does not (the mock cluster, some
        // Kafka-compatible brokers) may have dropped it. Not counted as confirmed: the caller sends again, the inbox
        // absorbs a copy that was written after all.
        if (report.Offset == Offset.Unset) return KafkaPublishErrors.WithoutOffset(topic, messageId);
        events.BrokerAnswered();
        return null;
    }

    private void Report(DeliveryReport<string?, byte[]> report, string messageId)
    {
        if (Check(report, report.Topic, messageId, _events) is { } failure)
            lock (_failures) _failures.Add(failure);
        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0) _all.TrySetResult();
    }
}
