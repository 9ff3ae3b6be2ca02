namespace Messaging.Transport;

/// <summary>
/// The whole contract a broker must implement: confirmed send, topology preparation and a receive loop
/// that acknowledges only after the processor has finished. Optional features are
/// <see cref="TransportCapabilities"/> flags, not subtypes.
/// </summary>
/// <remarks>Implementations are singletons, safe for concurrent <see cref="SendAsync"/> calls.</remarks>
public interface IMessageTransport : IAsyncDisposable
{
    /// <summary>The transport's configuration name: <c>InMemory</c>, <c>RabbitMq</c> or <c>Kafka</c>.</summary>
    string Name { get; }

    /// <summary>What this transport can do beyond the contract.</summary>
    TransportCapabilities Capabilities { get; }

    /// <summary>Whether the broker is reachable now, as the transport last saw it; kept up to date by the transport.</summary>
    TransportHealth Health { get; }

    /// <summary>
    /// Connects and declares what the endpoints need (queues, bindings, dead-letter destinations). Called before
    /// any receive; called again after a <see cref="BrokerUnavailableException"/>.
    /// </summary>
    /// <param name="endpoints">The consumer endpoints this process will run; may be empty.</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    /// <exception cref="BrokerUnavailableException">The broker cannot be reached now; trying later may work.</exception>
    /// <exception cref="MessagingException">The broker refuses the topology or the login: this configuration can never work.</exception>
    Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes one message and completes only when the broker has taken responsibility for it
    /// (RabbitMQ publisher confirm; Kafka delivery report with <c>acks=all</c>).
    /// </summary>
    /// <param name="envelope">The message; its <see cref="Envelope.Destination"/> is the topic or exchange.</param>
    /// <param name="cancellationToken">Cancels waiting; the message may still be stored by the broker.</param>
    /// <exception cref="Publishing.PublishException">The broker did not confirm the message.</exception>
    Task SendAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes several messages pipelined (all in flight at once, in list order per partition key) and
    /// completes when every one is confirmed.
    /// </summary>
    /// <param name="envelopes">The messages, in publish order.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <exception cref="BatchPublishException">One or more messages were not confirmed; lists which.</exception>
    Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken);

    /// <summary>
    /// Receives messages for <paramref name="endpoint"/> until <paramref name="stoppingToken"/> is
    /// cancelled, calling <paramref name="processor"/> for each and acknowledging (RabbitMQ
    /// <c>basic.ack</c>, Kafka offset store) only after it returned. A <see cref="ProcessingStatus.DeadLetter"/>
    /// result is sent, confirmed, to the endpoint's dead-letter destination with the reason headers before
    /// the acknowledgement. A message whose processing was cancelled or threw is not acknowledged and is
    /// redelivered later.
    /// </summary>
    /// <param name="endpoint">The queue or consumer group and what it listens to.</param>
    /// <param name="processor">The handling pipeline.</param>
    /// <param name="stoppingToken">Stops receiving; in-flight messages finish or stay unacknowledged.</param>
    /// <returns>A task that completes after receiving stopped and channels are closed.</returns>
    Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken);
}
