using System.Collections.Concurrent;
using Messaging.Kafka.Consuming;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>
/// <see cref="IMessageTransport"/> on Confluent.Kafka: confirmed publish (delivery report, <c>acks=all</c>,
/// idempotent producer), topics and dead-letter topics ensured at start-up, consumer groups whose offsets
/// are stored only after the processor finished.
/// </summary>
internal sealed class KafkaTransport : IMessageTransport
{
    public const string TransportName = "Kafka";
    private static readonly TimeSpan ReceiversDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly KafkaOptions _options;
    private readonly IDeadLetterRecorder? _recorder;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly KafkaSender _sender;
    private readonly KafkaTopology _topology;
    private readonly KafkaClientEvents _events;
    private readonly KafkaRecoveryProbe _recovery;
    private readonly ConcurrentDictionary<Task, byte> _receivers = new();

    public KafkaTransport(KafkaOptions options, ILoggerFactory loggers, TimeProvider time, IDeadLetterRecorder? recorder = null)
    {
        _options = options;
        _recorder = recorder;
        _loggers = loggers;
        _time = time;
        var logger = loggers.CreateLogger<KafkaTransport>();
        if (KafkaClientConfig.ParseAcks(options.Acks) != Confluent.Kafka.Acks.All || !options.EnableIdempotence)
            Log.WeakerDurability(logger, options.Acks, options.EnableIdempotence);
        Health = new TransportHealth(TransportName, logger, time);
        _events = new KafkaClientEvents(Health, logger);
        _sender = new KafkaSender(options, _events, time, loggers.CreateLogger<KafkaSender>());
        _topology = new KafkaTopology(options, _events, time, loggers.CreateLogger<KafkaTopology>());
        _recovery = new KafkaRecoveryProbe(Health, _sender.Handle, time);
    }

    public string Name => TransportName;

    public TransportCapabilities Capabilities => TransportCapabilities.Durable | TransportCapabilities.Replay | TransportCapabilities.DelayedRetry;

    public TransportHealth Health { get; }

    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) =>
        _topology.PrepareAsync(endpoints, cancellationToken);

    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken) =>
        _sender.SendAsync(envelope, cancellationToken);

    public Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken) =>
        _sender.SendBatchAsync(envelopes, cancellationToken);

    public async Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(processor);
        var loop = new KafkaConsumerLoop(endpoint, processor, _options, _sender, _events, _time, _loggers.CreateLogger<KafkaConsumerLoop>(), _recorder);
        var running = loop.RunAsync(stoppingToken);
        _receivers.TryAdd(running, 0);
        try
        {
            await running.ConfigureAwait(false);
        }
        finally
        {
            _receivers.TryRemove(running, out _);
        }
    }

    /// <summary>Waits (bounded) for stopping receivers to commit and leave, then flushes and disposes the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_receivers.Keys).WaitAsync(ReceiversDrainTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or MessagingException or OperationCanceledException)
        {
            // receivers report their own failures to whoever awaits ReceiveAsync
        }
        await _recovery.DisposeAsync().ConfigureAwait(false); // before the producer: a probe in flight uses its handle
        await _sender.DisposeAsync().ConfigureAwait(false);
    }
}
