using System.Collections.Concurrent;
using Messaging.Configuration;
using Messaging.Diagnostics;
using Messaging.Handling;
using Messaging.Routing;
using Messaging.Serialization;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Handling;

/// <summary>
/// Turns a received envelope into handler calls: resolve the type, deserialize, run each handler in its
/// own scope through the filters (inbox), retry by policy, and decide ack or dead-letter.
/// </summary>
internal sealed class MessagePipeline(
    MessageTypeMap routes,
    HandlerRegistry handlers,
    IMessageSerializer serializer,
    IServiceScopeFactory scopes,
    IOptions<MessagingOptions> options,
    MessagingStatistics statistics,
    IEnumerable<IDeliveryLedger> ledgers,
    IEnumerable<IKeyOrderGate> gates,
    TimeProvider time,
    ILogger<MessagePipeline> logger)
{
    private readonly MessagingOptions _options = options.Value;
    private readonly IDeliveryLedger? _ledger = ledgers.LastOrDefault();
    private readonly IKeyOrderGate? _gate = gates.LastOrDefault();
    private readonly ConcurrentDictionary<string, byte> _skippedTypes = new(StringComparer.Ordinal);
    private const int MaxSkippedTypesLogged = 1_000; // a foreign topic's type names are not ours to keep without bound

    /// <summary>Returned for a message acknowledged unhandled (<see cref="UnhandledMessagePolicy.Skip"/>); an Ack to the transport.</summary>
    private static readonly ProcessingResult SkippedUnhandled = new(ProcessingStatus.Ack, null);

    /// <summary>Returned for a message held behind a dead letter of its key (<see cref="IKeyOrderGate"/>); an Ack to the transport.</summary>
    private static readonly ProcessingResult HeldBehindKey = new(ProcessingStatus.Ack, null);

    public async Task<ProcessingResult> ProcessAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var envelope = incoming.Envelope;
        using var activity = MessagingTelemetry.StartProcess(_options.Endpoint, envelope);
        var started = time.GetTimestamp();
        var result = await ProcessCoreAsync(incoming, cancellationToken).ConfigureAwait(false);
        var outcome = ReferenceEquals(result, SkippedUnhandled) ? "skipped" : ReferenceEquals(result, HeldBehindKey) ? "held"
            : result.Status switch { ProcessingStatus.Ack => "ack", ProcessingStatus.RetryLater => "retry", _ => "dead_letter" };
        MessagingTelemetry.Consumed.Add(1, new(TelemetryNames.DestinationName, envelope.Destination), new(TelemetryNames.ConsumerGroup, _options.Endpoint),
            new(TelemetryNames.Result, outcome));
        MessagingTelemetry.ProcessDuration.Record(time.GetElapsedTime(started).TotalSeconds,
            new(TelemetryNames.DestinationName, envelope.Destination), new(TelemetryNames.ConsumerGroup, _options.Endpoint));
        if (result.Status == ProcessingStatus.DeadLetter)
        {
            statistics.RecordDeadLettered();
            MessagingTelemetry.DeadLetter(envelope.Destination, _options.Endpoint, result.Failure!);
            Log.DeadLettering(logger, envelope.MessageId, envelope.MessageType, incoming.Source, result.Failure!.Reason);
        }
        else if (result.Status == ProcessingStatus.RetryLater)
        {
            statistics.RecordDelayedRetry();
            MessagingTelemetry.Retried(envelope.Destination, _options.Endpoint, "delayed");
            Log.RetryingLater(logger, envelope.MessageId, incoming.Source, (long)result.RetryDelay.TotalMilliseconds, incoming.DelayedRetries + 1, result.Failure!.Reason);
        }
        return result;
    }

    /// <summary>Asks the key-order gate first (keyed messages only): a message held behind its key's dead letter is
    /// acknowledged unhandled; a released one reports back once handled. The gate's failures propagate (no ack).</summary>
    private async Task<ProcessingResult> ProcessCoreAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        if (_gate is null || incoming.Envelope.PartitionKey is not { Length: > 0 }) return await HandleAsync(incoming, cancellationToken).ConfigureAwait(false);
        var decision = await _gate.EnterAsync(_options.Endpoint, incoming, cancellationToken).ConfigureAwait(false);
        if (decision == KeyOrderDecision.Held) return HeldBehindKey;
        var result = await HandleAsync(incoming, cancellationToken).ConfigureAwait(false);
        if (decision == KeyOrderDecision.HandleReleased && result.Status == ProcessingStatus.Ack)
            await _gate.ReleasedAsync(_options.Endpoint, incoming, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<ProcessingResult> HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var envelope = incoming.Envelope;
        var retry = _options.Retry;
        if (incoming.Unreadable is { } unreadable)
            return Reject($"envelope could not be read: {unreadable}", "unreadable", envelope.MessageType);
        if (envelope.Body.Length > _options.MaxBodyBytes)
            return Reject($"body of {envelope.Body.Length} bytes exceeds Messaging:MaxBodyBytes = {_options.MaxBodyBytes}", "too_large", envelope.MessageType);
        if (!routes.TryGet(envelope.MessageType, out var route))
            return Unhandled(envelope, $"unknown message type '{envelope.MessageType}'", "unknown_type");
        var descriptors = handlers.For(route.Type);
        if (descriptors.Count == 0)
            return Unhandled(envelope, $"no handler for message type '{envelope.MessageType}' on this endpoint", "no_handler");
        var (deliveries, counted) = await CountDeliveriesAsync(incoming, descriptors, cancellationToken).ConfigureAwait(false);
        if (counted is null)
        {
            foreach (var descriptor in descriptors) RecordDuplicate(descriptor); // every handler has it in the inbox already
            return ProcessingResult.Ack;
        }
        if (deliveries > retry.MaxDeliveries)
            return Reject($"{counted} {deliveries} times without an acknowledgement (Messaging:Retry:MaxDeliveries = {retry.MaxDeliveries}): parked as poison",
                "poison", envelope.MessageType);

        object message;
        try
        {
            message = serializer.Deserialize(envelope.Body, route.Type);
        }
        catch (MessageDeserializationException ex)
        {
            return ProcessingResult.DeadLettered(new DeadLetterReason("body could not be deserialized", ex.GetType().FullName, ex.Message, 0)
            {
                Kind = "undeserializable",
                Fingerprint = FailureFingerprint.ForRefusal("undeserializable", envelope.MessageType),
            });
        }

        foreach (var descriptor in descriptors)
        {
            var failure = await RunWithRetriesAsync(descriptor, message, incoming, cancellationToken).ConfigureAwait(false);
            if (failure is null) continue;
            // Immediate attempts used up: a delayed retry if the policy has one left, else dead-letter.
            var delays = retry.DelayedRetryDelaysMs;
            return incoming.DelayedRetries < delays.Length
                ? ProcessingResult.RetryLater(TimeSpan.FromMilliseconds(delays[incoming.DelayedRetries]), failure)
                : ProcessingResult.DeadLettered(failure);
        }
        return ProcessingResult.Ack;
    }

    /// <summary>How often this message was delivered for poison detection and what was counted: for a redelivery,
    /// with a ledger, the deliveries that reached the handlers (null when every handler had it already); else the
    /// broker's count (0 when the broker does not count).</summary>
    private async Task<(int Deliveries, string? Counted)> CountDeliveriesAsync(IncomingMessage incoming, IReadOnlyList<HandlerDescriptor> descriptors, CancellationToken cancellationToken)
    {
        if (_ledger is null || incoming.DeliveryCount <= 1) return (incoming.DeliveryCount, "delivered");
        try
        {
            var names = descriptors.Count == 1 ? [descriptors[0].Name] : descriptors.Select(d => d.Name).ToArray();
            var reached = await _ledger.RecordRedeliveryAsync(_options.Endpoint, incoming.Envelope.MessageId, names, cancellationToken).ConfigureAwait(false);
            return (reached, reached == 0 ? null : "reached its handlers");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.DeliveryLedgerFailed(logger, ex, incoming.Envelope.MessageId, incoming.DeliveryCount);
            return (incoming.DeliveryCount, "delivered");
        }
    }

    /// <summary>A message this endpoint has no handler for: dead-lettered, or acknowledged and counted under
    /// <see cref="UnhandledMessagePolicy.Skip"/> (logged the first time its type is seen).</summary>
    private ProcessingResult Unhandled(Envelope envelope, string reason, string kind)
    {
        if (_options.UnhandledMessages != UnhandledMessagePolicy.Skip) return Reject(reason, kind, envelope.MessageType);
        MessagingTelemetry.Skipped(envelope.Destination, _options.Endpoint, kind);
        if (_skippedTypes.Count < MaxSkippedTypesLogged && _skippedTypes.TryAdd(envelope.MessageType, 0))
            Log.SkippingUnhandled(logger, envelope.MessageType, envelope.Destination, reason);
        return SkippedUnhandled;
    }

    /// <summary>Dead-letters a message no handler can run; <paramref name="kind"/> and the message type make its failure group.</summary>
    private static ProcessingResult Reject(string reason, string kind, string messageType) =>
        ProcessingResult.DeadLettered(new DeadLetterReason(reason, null, null, 0) { Kind = kind, Fingerprint = FailureFingerprint.ForRefusal(kind, messageType) });

    private void RecordDuplicate(HandlerDescriptor descriptor)
    {
        statistics.RecordDuplicate();
        MessagingTelemetry.Duplicate(_options.Endpoint, descriptor.Name);
    }

    private async Task<DeadLetterReason?> RunWithRetriesAsync(HandlerDescriptor descriptor, object message, IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var retry = _options.Retry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcome = await RunOnceAsync(descriptor, message, incoming, attempt, cancellationToken).ConfigureAwait(false);
                if (outcome == HandlerOutcome.SkippedDuplicate) RecordDuplicate(descriptor);
                else statistics.RecordHandled();
                return null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt >= retry.MaxAttempts)
                {
                    var total = incoming.DelayedRetries * retry.MaxAttempts + attempt; // earlier deliveries' attempts too
                    var (site, fingerprint) = FailureFingerprint.ForException(ex, descriptor.HandlerType);
                    return new DeadLetterReason($"handler {descriptor.Name} failed after {total} attempt(s)", ex.GetType().FullName, ex.Message, total)
                    {
                        Handler = descriptor.Name,
                        FailureSite = site,
                        Fingerprint = fingerprint,
                    };
                }
                statistics.RecordRetry();
                MessagingTelemetry.Retried(incoming.Envelope.Destination, _options.Endpoint, "immediate");
                Log.HandlerFailed(logger, ex, descriptor.Name, incoming.Envelope.MessageId, attempt, retry.MaxAttempts);
                await Task.Delay(retry.DelayBefore(attempt + 1), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<HandlerOutcome> RunOnceAsync(HandlerDescriptor descriptor, object message, IncomingMessage incoming, int attempt, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(CancelTimeout, timeout, TimeSpan.FromMilliseconds(_options.HandlerTimeoutMs), Timeout.InfiniteTimeSpan);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = new MessageContext(incoming.Envelope, incoming.Source, descriptor.Name, attempt, scope.ServiceProvider);
            Func<CancellationToken, Task<HandlerOutcome>> next = async ct =>
            {
                await descriptor.Invoke(scope.ServiceProvider, message, context, ct).ConfigureAwait(false);
                return HandlerOutcome.Handled;
            };
            foreach (var filter in scope.ServiceProvider.GetServices<IHandlerFilter>().Reverse())
            {
                var inner = next;
                next = ct => filter.InvokeAsync(context, inner, ct);
            }
            try
            {
                return await next(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Handler {descriptor.Name} did not finish within Messaging:HandlerTimeoutMs = {_options.HandlerTimeoutMs} ms.");
            }
        }
    }

    /// <summary>The handler timeout's timer: it may fire while its run is ending and the source is being disposed.</summary>
    private static void CancelTimeout(object? state)
    {
        try
        {
            ((CancellationTokenSource)state!).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the run is over
        }
    }
}
