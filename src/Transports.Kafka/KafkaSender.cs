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

    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return PublishAsync(envelope.Destination, envelope.MessageId, KafkaEnvelopeMapper.ToMessage(envelope), cancellationToken);
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var reports = new KafkaDeliveryReports(_events);
        List<PublishException>? notEnqueued = null;
        foreach (var envelope in envelopes)
        {
            var onReport = reports.Expect(envelope.MessageId);
            try
            {
                // Enqueued one after the other, so the producer keeps list order per partition.
                await EnqueueAsync(envelope.Destination, envelope.MessageId, KafkaEnvelopeMapper.ToMessage(envelope), onReport, cancellationToken).ConfigureAwait(false);
            }
            catch (PublishException ex)
            {
                reports.Withdraw();
                (notEnqueued ??= []).Add(ex);
            }
        }
        var unconfirmed = await reports.AllReportedAsync(cancellationToken).ConfigureAwait(false);
        if (notEnqueued is null && unconfirmed.Count == 0) return;
        throw new BatchPublishException([.. notEnqueued ?? [], .. unconfirmed]);
    }

    /// <summary>Publishes a prepared record (a dead letter) and waits for its delivery report.</summary>
    public async Task PublishAsync(string topic, string messageId, Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = _events;
        await EnqueueAsync(topic, messageId, message, report =>
        {
            if (KafkaDeliveryReports.Check(report, topic, messageId, events) is { } failure) confirmed.TrySetException(failure);
            else confirmed.TrySetResult();
        }, cancellationToken).ConfigureAwait(false);
        await confirmed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands the record to the producer, waiting while its local queue is full (at most <c>MessageTimeoutMs</c>);
    /// <paramref name="onReport"/> gets its delivery report. Throws <see cref="PublishException"/> when the record
    /// cannot be handed over. Completes synchronously unless the queue is full.
    /// </summary>
    private async ValueTask EnqueueAsync(string topic, string messageId, Message<string?, byte[]> message,
        Action<DeliveryReport<string?, byte[]>> onReport, CancellationToken cancellationToken)
    {
        if (!_events.Health.IsAvailable)
            throw new PublishException(PublishFailure.BrokerUnavailable, topic, messageId, _events.Health.Problem ?? "every Kafka broker is down");
        if (TryProduce(topic, messageId, message, onReport, lastTry: false)) return;
        var deadline = _time.GetUtcNow().AddMilliseconds(_options.MessageTimeoutMs);
        do await Task.Delay(QueueFullBackoff, _time, cancellationToken).ConfigureAwait(false);
        while (!TryProduce(topic, messageId, message, onReport, lastTry: _time.GetUtcNow() >= deadline));
    }

    /// <summary>False when the producer's local queue is full (unless <paramref name="lastTry"/>, when that fails too).</summary>
    private bool TryProduce(string topic, string messageId, Message<string?, byte[]> message, Action<DeliveryReport<string?, byte[]>> onReport, bool lastTry)
    {
        try
        {
            _producer.Produce(topic, message, onReport);
            return true;
        }
        catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && !lastTry)
        {
            return false;
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

    /// <summary>Flushes (bounded by <see cref="KafkaOptions.MessageTimeoutMs"/>, at most 10 s) and disposes the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        var timeoutMs = Math.Min(_options.MessageTimeoutMs, 10_000);
        var pending = await Task.Run(() => _producer.Flush(TimeSpan.FromMilliseconds(timeoutMs))).ConfigureAwait(false);
        if (pending > 0) Log.FlushIncomplete(_logger, timeoutMs, pending);
        _producer.Dispose();
    }
}
