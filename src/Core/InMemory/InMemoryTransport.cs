using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Messaging.Publishing;
using Messaging.Transport;

namespace Messaging.InMemory;

/// <summary>
/// A transport inside one process with the brokers' semantics: a send completes once every endpoint
/// bound to the destination holds the message, a send to a destination nothing is bound to throws
/// <see cref="PublishFailure.Unroutable"/> (like RabbitMQ <c>mandatory</c>), messages are handled one at a
/// time per endpoint in send order, an unacknowledged message is delivered again, and dead-lettered
/// messages are kept with their reason headers. Nothing survives the process: for tests and the sample.
/// </summary>
public sealed class InMemoryTransport : IMessageTransport
{
    private readonly ConcurrentDictionary<string, Channel<IncomingMessage>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _bindings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Envelope>> _deadLetters = new(StringComparer.Ordinal);
    private readonly Lock _bindLock = new();
    private readonly IDeadLetterRecorder? _recorder;
    private readonly TimeProvider _time = TimeProvider.System;
    private long _sequence;

    /// <summary>Creates a transport with its own queues, nothing bound yet.</summary>
    public InMemoryTransport() { }

    /// <summary>Records each dead letter with <paramref name="recorder"/> too (the EF Core outbox's table).</summary>
    internal InMemoryTransport(IDeadLetterRecorder? recorder, TimeProvider time)
    {
        _recorder = recorder;
        _time = time;
    }

    /// <summary>The configuration name that selects this transport: <c>InMemory</c>.</summary>
    public const string TransportName = "InMemory";

    /// <inheritdoc />
    public string Name => TransportName;

    /// <inheritdoc />
    public TransportCapabilities Capabilities => TransportCapabilities.UnroutableDetection | TransportCapabilities.DelayedRetry;

    /// <inheritdoc />
    /// <remarks>Always available: there is no broker to lose.</remarks>
    public TransportHealth Health { get; } = new(TransportName, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <inheritdoc />
    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var endpoint in endpoints) Bind(endpoint);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!_bindings.TryGetValue(envelope.Destination, out var queues) || queues.Length == 0)
            throw new PublishException(PublishFailure.Unroutable, envelope.Destination, envelope.MessageId, "no endpoint is bound to this destination");
        foreach (var queue in queues)
        {
            var tag = Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
            _queues[queue].Writer.TryWrite(new IncomingMessage(envelope, $"queue {queue} delivery-tag {tag}", Redelivered: false));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken) =>
        BatchPublishing.SendOneByOneAsync(envelopes, SendAsync, cancellationToken);

    /// <inheritdoc />
    public async Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(processor);
        var queue = Bind(endpoint);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (queue.Reader.TryRead(out var message))
                {
                    ProcessingResult result;
                    try
                    {
                        result = await processor(message, stoppingToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        queue.Writer.TryWrite(message with { Redelivered = true }); // not acked: deliver again
                        throw;
                    }
                    if (result.Status == ProcessingStatus.RetryLater)
                        _ = RedeliverLaterAsync(queue, message with { DelayedRetries = message.DelayedRetries + 1 }, result.RetryDelay);
                    else if (result.Status == ProcessingStatus.DeadLetter && !await DeadLetterAsync(endpoint, message, result.Failure!).ConfigureAwait(false))
                        queue.Writer.TryWrite(message with { Redelivered = true }); // not recorded: deliver again, as a broker would
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // graceful stop
        }
    }

    /// <summary>Keeps the dead letter and records it; false when recording failed (the message is delivered again).</summary>
    private async Task<bool> DeadLetterAsync(ConsumerEndpoint endpoint, IncomingMessage message, DeadLetterReason reason)
    {
        var now = _time.GetUtcNow();
        var headers = reason.ToHeaders(message.Envelope, message.Source, now);
        if (_recorder is not null)
        {
            try
            {
                // Not cut short by the stop: the message in hand finishes, as on the brokers.
                await _recorder.RecordAsync(new DeadLetterEntry(message.Envelope, reason, Name, endpoint.Name, message.Source, endpoint.Name + ".dlq", now),
                    CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // any store failure: deliver the message again, as an unacknowledged one
            catch (Exception)
#pragma warning restore CA1031
            {
                return false;
            }
        }
        _deadLetters.GetOrAdd(endpoint.Name, _ => new()).Enqueue(message.Envelope with { Headers = headers });
        return true;
    }

    private async Task RedeliverLaterAsync(Channel<IncomingMessage> queue, IncomingMessage message, TimeSpan delay)
    {
        await Task.Delay(delay, _time).ConfigureAwait(false);
        queue.Writer.TryWrite(message);
    }

    /// <summary>The messages dead-lettered by an endpoint so far, with their <c>dead-letter-*</c> headers.</summary>
    /// <param name="endpoint">The endpoint name.</param>
    /// <returns>A snapshot, oldest first.</returns>
    public IReadOnlyList<Envelope> DeadLetters(string endpoint) =>
        _deadLetters.TryGetValue(endpoint, out var queue) ? [.. queue] : [];

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var queue in _queues.Values) queue.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    private Channel<IncomingMessage> Bind(ConsumerEndpoint endpoint)
    {
        var queue = _queues.GetOrAdd(endpoint.Name, _ => Channel.CreateUnbounded<IncomingMessage>(new() { SingleReader = true }));
        lock (_bindLock)
        {
            foreach (var destination in endpoint.Destinations)
            {
                var bound = _bindings.GetOrAdd(destination, []);
                if (!bound.Contains(endpoint.Name)) _bindings[destination] = [.. bound, endpoint.Name];
            }
        }
        return queue;
    }
}
