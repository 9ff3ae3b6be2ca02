using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Messaging.RabbitMq;

/// <summary>
/// The one AMQP connection of a transport, opened on first use with automatic connection and topology
/// recovery. Errors name the host and vhost, never the user or password.
/// </summary>
internal sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly List<AmqpTcpEndpoint> _endpoints;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private bool _disposed;

    public RabbitMqConnection(RabbitMqOptions options, string clientName, ILogger logger)
    {
        if (!RabbitMqEndpoint.TryParse(options.Uri, out var uri))
            throw new MessagingException($"{RabbitMqOptions.SectionName}:Uri is not an absolute amqp:// or amqps:// URI.");
        _factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromMilliseconds(options.RecoveryIntervalMs),
            ClientProvidedName = clientName,
        };
        if (!string.IsNullOrEmpty(options.UserName)) _factory.UserName = options.UserName;
        if (!string.IsNullOrEmpty(options.Password)) _factory.Password = options.Password;
        _factory.Ssl = RabbitMqTls.ToSslOption(options.Tls, _factory.HostName, _factory.Ssl);
        _logger = logger;
        _endpoints = RabbitMqClusterNodes.Endpoints(options, _factory);
        Broker = RabbitMqClusterNodes.Describe(_endpoints, _factory.VirtualHost);
    }

    /// <summary>The client-provided connection name (shown by the broker's management UI and rabbitmqctl).</summary>
    public string ClientName => _factory.ClientProvidedName ?? "";

    /// <summary>True when the connection uses TLS.</summary>
    public bool UsesTls => _factory.Ssl.Enabled;

    /// <summary>Host, port and vhost, safe to log.</summary>
    public string Broker { get; }

    /// <summary>Returns the open connection, opening it the first time.</summary>
    /// <exception cref="MessagingException">The broker is unreachable or refused the login.</exception>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { } existing) return existing;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null) return _connection;
            IConnection connection;
            try
            {
                connection = await _factory.CreateConnectionAsync(_endpoints, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new MessagingException($"RabbitMQ broker at {Broker} is unreachable or refused the connection ({RabbitMqTlsValidation.FailureReason(ex) ?? ex.GetType().Name}).", ex);
            }
            connection.ConnectionShutdownAsync += OnShutdownAsync;
            connection.RecoverySucceededAsync += OnRecoveredAsync;
            Log.Connected(_logger, _factory.ClientProvidedName ?? "", Broker);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Opens a channel on the connection (opening the connection first if needed).</summary>
    public async Task<IChannel> CreateChannelAsync(CreateChannelOptions? options, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken).ConfigureAwait(false);
        return await connection.CreateChannelAsync(options, cancellationToken).ConfigureAwait(false);
    }

    public bool IsOpen => Volatile.Read(ref _connection) is { IsOpen: true };

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        if (e.Initiator != ShutdownInitiator.Application) Log.ConnectionLost(_logger, Broker, e.ReplyCode, e.ReplyText);
        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        Log.ConnectionRecovered(_logger, Broker);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_connection is { } connection)
            {
                try { await connection.CloseAsync().ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OutOfMemoryException) { /* already closed */ }
                connection.Dispose();
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
