using Messaging.RabbitMq.Consuming;
using Messaging.Transport;
using Microsoft.Extensions.Logging;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq;

/// <summary>
/// <see cref="IMessageTransport"/> on RabbitMQ.Client 7: one auto-recovering connection, a confirmed
/// publish channel (persistent, <c>mandatory</c>), a durable topic exchange per destination, and per
/// endpoint a durable queue (bound with <c>#</c>) that dead-letters to <c>&lt;name&gt;.dlq</c>, and per delayed-retry
/// delay a retry queue <c>&lt;name&gt;.retry.&lt;ms&gt;</c> whose TTL dead-letters back to the endpoint queue.
/// </summary>
internal sealed class RabbitMqTransport : IMessageTransport
{
    public const string TransportName = "RabbitMq";

    private readonly RabbitMqConnection _connection;
    private readonly RabbitMqTopology _topology;
    private readonly RabbitMqPublisher _publisher;
    private readonly DeliverySettler _settler;
    private readonly RabbitMqOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RabbitMqTransport(RabbitMqOptions options, string clientName, IReadOnlyList<int> retryDelaysMs, TimeProvider time, ILogger<RabbitMqTransport> logger,
        IDeadLetterRecorder? recorder = null)
    {
        _options = options;
        _time = time;
        _logger = logger;
        Health = new TransportHealth(TransportName, logger, time);
        _connection = new RabbitMqConnection(options, clientName, Health, time, logger);
        _topology = new RabbitMqTopology(_connection, options, retryDelaysMs, logger);
        _publisher = new RabbitMqPublisher(_connection, _topology, options, time, logger);
        _settler = new DeliverySettler(_publisher, _topology, options, time, logger, recorder);
    }

    public string Name => TransportName;

    public TransportCapabilities Capabilities => TransportCapabilities.UnroutableDetection | TransportCapabilities.Durable | TransportCapabilities.DelayedRetry;

    public TransportHealth Health { get; }

    public async Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        await _connection.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var endpoint in endpoints)
            await _topology.DeclareEndpointAsync(endpoint, force: false, cancellationToken).ConfigureAwait(false);
    }

    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return _publisher.SendAsync(envelope, cancellationToken);
    }

    public async Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        if (envelopes.Count == 0) return;
        // Declare exchanges and open the channel first, so every publish below enters the client in list order.
        var refused = new Dictionary<string, PublishException>(StringComparer.Ordinal);
        foreach (var envelope in envelopes)
        {
            if (refused.ContainsKey(envelope.Destination)) continue;
            try { await _publisher.PrepareAsync(envelope.Destination, envelope.MessageId, cancellationToken).ConfigureAwait(false); }
            catch (PublishException ex) { refused[envelope.Destination] = ex; }
        }
        var sends = new Task?[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (!refused.ContainsKey(envelopes[i].Destination)) sends[i] = _publisher.SendAsync(envelopes[i], cancellationToken);
        }
        try
        {
            await Task.WhenAll(sends.OfType<Task>()).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // inspected one by one below
        }
        cancellationToken.ThrowIfCancellationRequested();
        var failures = new List<PublishException>();
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = envelopes[i];
            if (sends[i] is not { } send)
            {
                var cause = refused[envelope.Destination];
                failures.Add(new PublishException(cause.Failure, envelope.Destination, envelope.MessageId, cause.Message, cause));
            }
            else if (send.Exception?.InnerException is PublishException failed) failures.Add(failed);
            else if (send.Exception?.InnerException is { } other) throw other; // not a broker answer: a bug, surface it
        }
        if (failures.Count > 0) throw new BatchPublishException(failures);
    }

    public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(processor);
        var receiver = new RabbitMqReceiver(_connection, _topology, _settler, _options, _time, _logger);
        return receiver.RunAsync(endpoint, processor, stoppingToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
