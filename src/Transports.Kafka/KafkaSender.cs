using Confluent.Kafka;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>
/// The idempotent <c>acks=all</c> producer: every send completes on its delivery report, and only a
/// <see cref="PersistenceStatus.Persisted"/> report with the record's offset counts as confirmed.
/// </summary>
/// <remarks>While the transport's health says every broker is down, a send fails at once with
/// <see cref="PublishFailure.BrokerUnavailable"/> instead of queueing in librdkafka for <c>MessageTimeoutMs</c>; a
/// record already queued when the brokers went away and timed out meanwhile fails the same way.</remarks>
internal sealed class KafkaSender : IAsyncDisposable
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);
    private readonly IProducer<string?, byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly KafkaClientEvents _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public KafkaSender(KafkaOptions options, KafkaClientEvents events, TimeProvider time, ILogger logger)
    {
        _time = time;
        _options = options;
        _events = events;
        _logger = logger;
        _producer = new ProducerBuilder<string?, byte[]>(KafkaClientConfig.Producer(options))
            .SetErrorHandler((_, e) => events.OnError("producer", e))
            .SetLogHandler((_, m) => events.OnLog("producer", m))
            .Build();
    }

    /// <summary>The producer's handle, for admin requests that share its broker connections.</summary>
    public Handle Handle => _producer.Handle;

    public async Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var delivery = await EnqueueAsync(envelope.Destination, envelope.MessageId, KafkaEnvelopeMapper.ToMessage(envelope), cancellationToken).ConfigureAwait(false);
        await delivery.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var failures = new List<PublishException>();
        var deliveries = new List<Task>(envelopes.Count);
        foreach (var envelope in envelopes)
        {
            try
            {
                // Enqueued one after the other, so the producer keeps list order per partition.
                deliveries.Add(await EnqueueAsync(envelope.Destination, envelope.MessageId, KafkaEnvelopeMapper.ToMessage(envelope), cancellationToken).ConfigureAwait(false));
            }
            catch (PublishException ex)
            {
                failures.Add(ex);
            }
        }
        foreach (var delivery in deliveries)
        {
            try { await delivery.WaitAsync(cancellationToken).ConfigureAwait(false); }
            catch (PublishException ex) { failures.Add(ex); }
        }
        if (failures.Count > 0) throw new BatchPublishException(failures);
    }

    /// <summary>Publishes a prepared record (a dead letter) and waits for its delivery report.</summary>
    public async Task PublishAsync(string topic, string messageId, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        var delivery = await EnqueueAsync(topic, messageId, message, cancellationToken).ConfigureAwait(false);
        await delivery.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands the record to the producer, waiting while its local queue is full; returns the task that
    /// completes on the delivery report (faulted with <see cref="PublishException"/> unless persisted).
    /// </summary>
    private async Task<Task> EnqueueAsync(string topic, string messageId, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        if (!_events.Health.IsAvailable)
            throw new PublishException(PublishFailure.BrokerUnavailable, topic, messageId, _events.Health.Problem ?? "every Kafka broker is down");
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = _time.GetUtcNow().AddMilliseconds(_options.MessageTimeoutMs);
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, report => Complete(confirmed, report, topic, messageId, _events));
                return confirmed.Task;
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(QueueFullBackoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException ex)
            {
                throw KafkaPublishErrors.FromError(ex.Error, topic, messageId, ex);
            }
            catch (ArgumentException ex)
            {
                throw new PublishException(PublishFailure.Invalid, topic, messageId, ex.Message, ex);
            }
        }
    }

    private static void Complete(TaskCompletionSource confirmed, DeliveryReport<string?, byte[]> report, string topic, string messageId, KafkaClientEvents events)
    {
        if (report.Error.IsError) confirmed.TrySetException(KafkaPublishErrors.FromError(report.Error, topic, messageId, events.Health));
        else if (report.Status != PersistenceStatus.Persisted) confirmed.TrySetException(KafkaPublishErrors.NotPersisted(report.Status, topic, messageId));
        // A broker's acknowledgement carries the record's offset. Persisted without one is librdkafka's implicit ack
        // (rd_kafka_dr_implicit_ack): a later request of the partition succeeded, so this one is taken as written. A
        // broker that checks idempotent sequence numbers makes that true; one that does not (the mock cluster, some
        // Kafka-compatible brokers) may have dropped it. Not counted as confirmed: the caller sends again, the inbox
        // absorbs a copy that was written after all.
        else if (report.Offset == Offset.Unset) confirmed.TrySetException(KafkaPublishErrors.WithoutOffset(topic, messageId));
        else
        {
            events.BrokerAnswered();
            confirmed.TrySetResult();
        }
    }

    /// <summary>Flushes (bounded by <see cref="KafkaOptions.MessageTimeoutMs"/>, at most 10 s) and disposes the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        var timeoutMs = Math.Min(_options.MessageTimeoutMs, 10_000);
        var pending = await Task.Run(() => _producer.Flush(TimeSpan.FromMilliseconds(timeoutMs))).ConfigureAwait(false);
        if (pending > 0) Log.FlushIncomplete(_logger, timeoutMs, pending);
        _producer.Dispose();
    }
}
