using System.Text;
using Messaging.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Messaging.RabbitMq;

/// <summary>
/// An endpoint's RabbitMQ dead-letter queue (<c>&lt;endpoint&gt;.dlq</c>) read with <c>basic.get</c> and no auto-ack, on
/// the transport's own connection code (URI, cluster hosts, TLS). A message is acked only when it is removed (after its
/// outbox row committed, for a re-drive); everything else is requeued when the channel closes, in its place. What the
/// <c>messaging dlq --source rabbitmq</c> commands use.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It reads a RabbitMQ queue; the name is the broker's own term.")]
public sealed class RabbitMqDeadLetterQueue : IBrokerDeadLetters
{
    private readonly RabbitMqConnection _connection;
    private readonly string _queue;
    private readonly string _endpoint;
    private IChannel? _channel;

    /// <summary>A reader of <paramref name="endpoint"/>'s dead-letter queue; it connects on the first read.</summary>
    /// <param name="options">The application's RabbitMQ settings (URI or cluster hosts, TLS).</param>
    /// <param name="endpoint">The consuming endpoint (its queue's name).</param>
    /// <param name="queue">The dead-letter queue to read; null for <c>&lt;endpoint&gt;.dlq</c>.</param>
    /// <param name="clientName">The connection's name in the management UI.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="endpoint"/> is null.</exception>
    public RabbitMqDeadLetterQueue(RabbitMqOptions options, string endpoint, string? queue, string clientName = "messaging-cli")
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _queue = queue ?? RabbitMqQueueArguments.DeadLetterQueue(endpoint);
        _connection = new RabbitMqConnection(options, clientName, new TransportHealth(RabbitMqTransport.TransportName, NullLogger.Instance), TimeProvider.System, NullLogger.Instance);
    }

    /// <inheritdoc />
    public string Describe => $"rabbitmq {_connection.Broker} queue {_queue}";

    /// <inheritdoc />
    public string Transport => RabbitMqTransport.TransportName;

    /// <inheritdoc />
    public string Endpoint => _endpoint;

    /// <inheritdoc />
    public string DeadLetterDestination => _queue;

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetterCopy>> ReadAsync(int limit, CancellationToken cancellationToken)
    {
        await _connection.GetAsync(cancellationToken).ConfigureAwait(false);
        _channel ??= await _connection.CreateChannelAsync(null, cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.QueueDeclarePassiveAsync(_queue, cancellationToken).ConfigureAwait(false);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            throw new MessagingException($"RabbitMQ at {_connection.Broker} has no queue '{_queue}' (the endpoint's dead-letter queue; --endpoint or --queue).");
        }
        var found = new List<DeadLetterCopy>();
        while (found.Count < limit && await _channel.BasicGetAsync(_queue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message)
        {
            var body = message.Body.ToArray();
            var headers = Text(message.BasicProperties.Headers);
            var destination = headers.GetValueOrDefault(HeaderNames.DeadLetterOriginalDestination) ?? "";
            var envelope = EnvelopeMapper.TryRead(message.BasicProperties, destination, body, out _, out _)
                ?? new Envelope { MessageId = message.BasicProperties.MessageId ?? "", MessageType = message.BasicProperties.Type ?? "", Destination = destination, Body = body };
            found.Add(new DeadLetterCopy(envelope, headers, $"delivery-tag {message.DeliveryTag}", message.DeliveryTag));
        }
        return found;
    }

    /// <summary>Single messages are acked: nothing holds another back.</summary>
    public IReadOnlyList<DeadLetterCopy> HeldBack(IReadOnlyList<DeadLetterCopy> read, IReadOnlyList<DeadLetterCopy> removing) => [];

    /// <inheritdoc />
    public async Task<string?> RemoveAsync(IReadOnlyList<DeadLetterCopy> done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        foreach (var item in done) await _channel!.BasicAckAsync((ulong)item.Handle, multiple: false, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Closing the channel requeues every message not acked.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            if (_channel.IsOpen) await _channel.CloseAsync().ConfigureAwait(false);
            _channel.Dispose();
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private static Dictionary<string, string> Text(IDictionary<string, object?>? headers)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers ?? new Dictionary<string, object?>())
            text[name] = AmqpHeaderValue.TryReadApplication(value, out var read, out _) ? read ?? "" : value?.ToString() ?? ""; // as a delivery's headers are read
        return text;
    }
}
