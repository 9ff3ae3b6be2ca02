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
    private static readonly TimeSpan ProcessorFailureDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDeadLetterRetryDelay = TimeSpan.FromSeconds(30);
    /// <summary>The processor's slots, shared by every lane of the consumer.</summary>
    public SemaphoreSlim Slots { get; } = new(options.MaxConcurrency, options.MaxConcurrency);

    /// <summary>True when the record is finished; false when <paramref name="cancellationToken"/> stopped it first.
    /// <paramref name="slot"/> may still be held when it returns true, for the lane's next record.</summary>
    public async Task<bool> HandleAsync(ConsumeResult<string?, byte[]> record, PartitionWork partition, ProcessorSlot slot, CancellationToken cancellationToken)
    {
        var source = KafkaEnvelopeMapper.Source(record.TopicPartitionOffset);
        var readable = KafkaEnvelopeMapper.TryReadEnvelope(record, out var envelope, out var error, out var keyConflict);
        if (keyConflict is not null) Log.PartitionKeyConflict(logger, source, record.Message.Key!, keyConflict);
        if (!readable)
        {
            slot.Release();
            Log.UnreadableRecord(logger, source, error!);
            var unreadable = new DeadLetterReason($"{error}: the envelope cannot be read", null, null, 0);
            return await DeadLetterAsync(record, envelope, unreadable, source, readable: false, cancellationToken).ConfigureAwait(false);
        }
        for (var delayedRetries = 0; ;)
        {
            ProcessingResult result;
            try
            {
                await slot.AcquireAsync(cancellationToken).ConfigureAwait(false);
                var incoming = new IncomingMessage(envelope, source, Redelivered: false) { DelayedRetries = delayedRetries };
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
                Log.ProcessorFailed(logger, ex, envelope.MessageId, source, (int)ProcessorFailureDelay.TotalMilliseconds);
                if (!await DelayAsync(ProcessorFailureDelay, cancellationToken).ConfigureAwait(false)) return false;
                continue;
            }
            switch (result.Status)
            {
                case ProcessingStatus.Ack:
                    return true;
                case ProcessingStatus.RetryLater:
                    slot.Release();
                    Log.RetryingInPlace(logger, envelope.MessageId, source, (long)result.RetryDelay.TotalMilliseconds, delayedRetries + 1);
                    partition.BeginRetryWait();
                    try
                    {
                        if (!await DelayAsync(result.RetryDelay, cancellationToken).ConfigureAwait(false)) return false;
                    }
                    finally
                    {
                        partition.EndRetryWait();
                    }
                    delayedRetries++;
                    continue;
                default:
                    slot.Release();
                    var reason = result.DeadLetter ?? new DeadLetterReason("dead-lettered", null, null, 0);
                    return await DeadLetterAsync(record, envelope, reason, source, readable: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes the record to its dead-letter topic, retrying until confirmed; false when cancelled first.</summary>
    private async Task<bool> DeadLetterAsync(ConsumeResult<string?, byte[]> record, Envelope envelope, DeadLetterReason reason, string source, bool readable, CancellationToken cancellationToken)
    {
        var topic = record.Topic + options.DeadLetterTopicSuffix;
        var message = KafkaDeadLetterMessage.Create(record, envelope, reason.ToHeaders(envelope, source, time.GetUtcNow()), readable);
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                // Waiting for the report is bounded by MessageTimeoutMs; not cut short by cancellation, so a
                // dead letter already on its way is not published twice after a restart.
                await sender.PublishAsync(topic, envelope.MessageId, message, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (PublishException ex)
            {
                Log.DeadLetterPublishFailed(logger, ex, envelope.MessageId, source, topic, (int)delay.TotalMilliseconds);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false)) return false;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDeadLetterRetryDelay.Ticks));
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
