using Confluent.Kafka;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka.Consuming;

/// <summary>
/// Runs one record through the processor until it is finished: acknowledged, or dead-lettered with a
/// confirmed publish. <see cref="ProcessingStatus.RetryLater"/> is an in-place retry: the same record is
/// handed again after the delay with <see cref="IncomingMessage.DelayedRetries"/> + 1 while its lane waits,
/// so order is kept and no retry topic is needed. An unexpected processor exception is retried in place
/// after a pause. At most <c>MaxConcurrency</c> records are in the processor at once: a record runs only while
/// its lane holds a <see cref="ProcessorSlot"/>, which is given back before any wait.
/// </summary>
internal sealed class KafkaRecordHandler(
    MessageProcessor processor,
    KafkaOptions options,
    KafkaSender sender,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    /// <summary>Records each dead letter in the database after its publish (null: none registered).</summary>
    public IDeadLetterRecorder? Recorder { get; init; }

    /// <summary>The consumer group, for the dead-letter record.</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>The processor's slots, shared by every lane of the consumer.</summary>
    public SemaphoreSlim Slots { get; } = new(options.MaxConcurrency, options.MaxConcurrency);

    /// <summary>True when the record is finished; false when <paramref name="cancellationToken"/> stopped it first.
    /// <paramref name="slot"/> may still be held when it returns true, for the lane's next record.</summary>
    public async Task<bool> HandleAsync(ConsumeResult<string?, byte[]> record, RetryWaits retryWaits, ProcessorSlot slot, CancellationToken cancellationToken)
    {
        var source = KafkaEnvelopeMapper.Source(record.TopicPartitionOffset);
        var readable = KafkaEnvelopeMapper.TryReadEnvelope(record, out var envelope, out var error, out var keyConflict);
        if (keyConflict is not null) Log.PartitionKeyConflict(logger, source, record.Message.Key!, keyConflict);
        for (int delayedRetries = 0, failures = 0; ;)
        {
            ProcessingResult result;
            try
            {
                await slot.AcquireAsync(cancellationToken).ConfigureAwait(false);
                // An unreadable record goes through the pipeline too, which dead-letters it at once with the reason.
                var incoming = new IncomingMessage(envelope, source, Redelivered: false) { DelayedRetries = delayedRetries, Unreadable = readable ? null : error };
                result = await processor(incoming, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                slot.Release();
                return false; // not finished: its offset stays behind the watermark
            }
            catch (Exception ex)
            {
                slot.Release();
                // The pipeline throws only when cancelled; anything else is a bug. Never skip: retry in place.
                var delay = Backoff.Delay(++failures, FirstRetryDelay, MaxRetryDelay);
                Log.ProcessorFailed(logger, ex, envelope.MessageId, source, (int)delay.TotalMilliseconds);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false)) return false;
                continue;
            }
            switch (result.Status)
            {
                case ProcessingStatus.Ack:
                    return true;
                case ProcessingStatus.RetryLater:
                    slot.Release();
                    Log.RetryingInPlace(logger, envelope.MessageId, source, (long)result.RetryDelay.TotalMilliseconds, delayedRetries + 1);
                    retryWaits.Begin();
                    try
                    {
                        if (!await DelayAsync(result.RetryDelay, cancellationToken).ConfigureAwait(false)) return false;
                    }
                    finally
                    {
                        retryWaits.End();
                    }
                    delayedRetries++;
                    continue;
                default:
                    slot.Release();
                    var reason = result.Failure ?? new DeadLetterReason("dead-lettered", null, null, 0);
                    return await DeadLetterAsync(record, envelope, reason, source, readable, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes the record to its dead-letter topic, retrying until confirmed, then records it in the database
    /// (when a recorder is registered), retrying until it is; false when cancelled first (the offset is not stored, so the
    /// record is dead-lettered again after a restart and its database row counts one more failure).</summary>
    private async Task<bool> DeadLetterAsync(ConsumeResult<string?, byte[]> record, Envelope envelope, DeadLetterReason reason, string source, bool readable, CancellationToken cancellationToken)
    {
        var topic = record.Topic + options.DeadLetterTopicSuffix;
        var now = time.GetUtcNow();
        var message = KafkaDeadLetterMessage.Create(record, envelope, reason.ToHeaders(envelope, source, now), readable);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Waiting for the report is bounded by MessageTimeoutMs; not cut short by cancellation, so a
                // dead letter already on its way is not published twice after a restart.
                await sender.PublishAsync(topic, envelope.MessageId, message, CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (PublishException ex)
            {
                var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(500), MaxRetryDelay);
                Log.DeadLetterPublishFailed(logger, ex, envelope.MessageId, source, topic, (int)delay.TotalMilliseconds);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false)) return false;
            }
        }
        if (Recorder is null) return true;
        var entry = new DeadLetterEntry(envelope, reason, KafkaTransport.TransportName, Endpoint, source, topic, now);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Recorder.RecordAsync(entry, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
#pragma warning disable CA1031 // any store failure: the offset must not pass this record until it is recorded
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(500), MaxRetryDelay);
                Log.DeadLetterRecordFailed(logger, ex, envelope.MessageId, source, (int)delay.TotalMilliseconds);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false)) return false;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
