using System.Diagnostics;
using Messaging.Configuration;
using Messaging.Diagnostics;
using Messaging.Transport;
using Microsoft.Extensions.Options;

namespace Messaging.Publishing;

/// <summary>
/// The one step every publish goes through, direct (<see cref="IMessagePublisher"/>) or from the outbox dispatcher:
/// the size limit (<c>Messaging:MaxBodyBytes</c>), a producer span per message (parented to the caller's span, or to
/// the trace that wrote the outbox row, and carried on in the message's <c>traceparent</c>), and the sent counters.
/// </summary>
public sealed class OutgoingPipeline(MessagingStatistics statistics, IOptions<MessagingOptions> options, TimeProvider time)
{
    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    /// <summary>Refuses an envelope no transport may carry.</summary>
    /// <param name="envelope">The envelope to publish.</param>
    /// <exception cref="PublishException"><see cref="PublishFailure.Invalid"/>: the body exceeds <c>Messaging:MaxBodyBytes</c>.</exception>
    public void Check(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Body.Length > _maxBodyBytes)
            throw new PublishException(PublishFailure.Invalid, envelope.Destination, envelope.MessageId,
                $"body of {envelope.Body.Length} bytes exceeds Messaging:MaxBodyBytes = {_maxBodyBytes}");
    }

    /// <summary>Checks, sends confirmed through <paramref name="transport"/>, counts.</summary>
    /// <param name="transport">The transport to publish through.</param>
    /// <param name="envelope">The envelope.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker's confirm (the message may still arrive).</param>
    /// <returns>A task that completes when the broker confirmed.</returns>
    /// <exception cref="PublishException">Refused by <see cref="Check"/>, or not confirmed by the broker.</exception>
    public async Task SendAsync(IMessageTransport transport, Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        try { Check(envelope); }
        catch (PublishException ex)
        {
            MessagingTelemetry.Published(transport.Name, envelope.Destination, 1, TimeSpan.Zero, ex.Failure);
            throw;
        }
        using var activity = MessagingTelemetry.StartSend(transport.Name, envelope);
        var started = time.GetTimestamp();
        try
        {
            await transport.SendAsync(MessagingTelemetry.Carry(activity, envelope), cancellationToken).ConfigureAwait(false);
        }
        catch (PublishException ex)
        {
            MessagingTelemetry.Failed(activity, ex);
            MessagingTelemetry.Published(transport.Name, envelope.Destination, 1, time.GetElapsedTime(started), ex.Failure);
            throw;
        }
        statistics.CountPublished(1);
        MessagingTelemetry.Published(transport.Name, envelope.Destination, 1, time.GetElapsedTime(started), null);
    }

    /// <summary>Checks each envelope, sends the valid ones pipelined through <paramref name="transport"/>, counts the
    /// confirmed ones per destination.</summary>
    /// <param name="transport">The transport to publish through.</param>
    /// <param name="envelopes">The envelopes, in order.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker's confirms.</param>
    /// <returns>A task that completes when the broker confirmed every valid envelope.</returns>
    /// <exception cref="BatchPublishException">Some envelopes were refused or not confirmed; lists each with its reason.</exception>
    public async Task SendBatchAsync(IMessageTransport transport, IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var failures = new List<PublishException>();
        var started = time.GetTimestamp();
        var valid = new List<Envelope>(envelopes.Count);
        var activities = new List<Activity?>(envelopes.Count);
        foreach (var envelope in envelopes)
        {
            try { Check(envelope); }
            catch (PublishException ex)
            {
                failures.Add(ex);
                MessagingTelemetry.Published(transport.Name, envelope.Destination, 1, TimeSpan.Zero, ex.Failure);
                continue;
            }
            var activity = MessagingTelemetry.StartSend(transport.Name, envelope);
            activities.Add(activity);
            valid.Add(MessagingTelemetry.Carry(activity, envelope));
        }
        try
        {
            if (valid.Count > 0) await transport.SendBatchAsync(valid, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchPublishException ex)
        {
            failures.AddRange(ex.Failures);
        }
        finally
        {
            var failed = new Dictionary<string, PublishException>(StringComparer.Ordinal);
            foreach (var failure in failures) failed.TryAdd(failure.MessageId, failure);
            var elapsed = time.GetElapsedTime(started);
            for (var i = 0; i < valid.Count; i++)
            {
                if (failed.TryGetValue(valid[i].MessageId, out var failure)) MessagingTelemetry.Failed(activities[i], failure);
                activities[i]?.Dispose();
            }
            foreach (var outcome in valid.GroupBy(e => (e.Destination, Failure: failed.TryGetValue(e.MessageId, out var f) ? f.Failure : (PublishFailure?)null)))
            {
                var count = outcome.Count();
                if (outcome.Key.Failure is null) statistics.CountPublished(count);
                MessagingTelemetry.Published(transport.Name, outcome.Key.Destination, count, elapsed, outcome.Key.Failure);
            }

        }
        if (failures.Count > 0) throw new BatchPublishException(failures);
    }
}
