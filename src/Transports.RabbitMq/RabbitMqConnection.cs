using Messaging.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq;

/// <summary>
/// The one AMQP connection of a transport, opened on first use with automatic connection and topology
/// recovery, and the source of the transport's <see cref="TransportHealth"/>: lost, recovery failed and blocked
/// (resource alarm) make it unavailable; opened, recovered and unblocked make it available. Until a first
/// connection succeeds, callers within <c>RecoveryIntervalMs</c> of a failed attempt fail at once with
/// <see cref="BrokerUnavailableException"/> instead of each trying to connect. Errors name the host and vhost,
/// never the user or password.
/// </summary>
internal sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly List<AmqpTcpEndpoint> _endpoints;
    private readonly ILogger _logger;
    private readonly TransportHealth _health;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retryInterval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private DateTimeOffset _nextAttempt;
    private string? _lastFailure;
    private bool _disposed;

    public RabbitMqConnection(RabbitMqOptions options, string clientName, TransportHealth health, TimeProvider time, ILogger logger)
    {
        _health = health;
        _time = time;
        _retryInterval = TimeSpan.FromMilliseconds(options.RecoveryIntervalMs);
        if (!RabbitMqUri.TryParse(options.Uri, out var uri))
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

    /// <summary>The transport's health, which this connection keeps up to date.</summary>
    public TransportHealth Health => _health;

    /// <summary>The client-provided connection name (shown by the broker's management UI and rabbitmqctl).</summary>
    public string ClientName => _factory.ClientProvidedName ?? "";

    /// <summary>True when the connection uses TLS.</summary>
    public bool UsesTls => _factory.Ssl.Enabled;

    /// <summary>Host, port and vhost, safe to log.</summary>
    public string Broker { get; }

    /// <summary>Returns the connection, opening it the first time (it may be recovering: see <see cref="IsOpen"/>).</summary>
    /// <exception cref="BrokerUnavailableException">The broker cannot be reached now (also at once, without trying,
    /// within <c>RecoveryIntervalMs</c> of a failed attempt).</exception>
    /// <exception cref="MessagingException">The broker refused the login: this configuration can never work.</exception>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { } existing) return existing;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null) return _connection;
            if (_lastFailure is { } failure && _time.GetUtcNow() < _nextAttempt)
                throw new BrokerUnavailableException($"RabbitMQ broker at {Broker} is unreachable ({failure}); next connection attempt in {(_nextAttempt - _time.GetUtcNow()).TotalMilliseconds:0} ms.");
            IConnection connection;
            try
            {
                connection = await _factory.CreateConnectionAsync(_endpoints, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsLoginRefused(ex))
            {
                throw new MessagingException($"RabbitMQ broker at {Broker} refused the login (check {RabbitMqOptions.SectionName}:Uri, UserName and Password).", ex);
            }
            catch (Exception ex) when (RabbitMqTlsValidation.FailureReason(ex) is { } refusal)
            {
                throw new MessagingException($"RabbitMQ broker at {Broker} refused the connection ({refusal}).", ex); // configuration, like a refused login
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _lastFailure = ex.GetBaseException().GetType().Name;
                _nextAttempt = _time.GetUtcNow() + _retryInterval;
                var unavailable = new BrokerUnavailableException($"RabbitMQ broker at {Broker} is unreachable or refused the connection ({_lastFailure}).", ex);
                _health.ReportUnavailable(unavailable.Message);
                throw unavailable;
            }
            connection.ConnectionShutdownAsync += OnShutdownAsync;
            connection.RecoverySucceededAsync += OnRecoveredAsync;
            connection.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
            connection.ConnectionBlockedAsync += OnBlockedAsync;
            connection.ConnectionUnblockedAsync += OnUnblockedAsync;
            Log.Connected(_logger, _factory.ClientProvidedName ?? "", Broker);
            _lastFailure = null;
            Volatile.Write(ref _connection, connection);
            _health.ReportAvailable();
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsLoginRefused(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is AuthenticationFailureException or PossibleAuthenticationFailureException) return true;
        return false;
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
        if (e.Initiator == ShutdownInitiator.Application) return Task.CompletedTask;
        Log.ConnectionLost(_logger, Broker, e.ReplyCode, e.ReplyText);
        _health.ReportUnavailable($"connection to {Broker} lost ({e.ReplyCode} {e.ReplyText}); automatic recovery every {_retryInterval.TotalMilliseconds:0} ms");
        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        Log.ConnectionRecovered(_logger, Broker);
        _health.ReportAvailable();
        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        _health.ReportUnavailable($"RabbitMQ broker at {Broker} is unreachable ({e.Exception.GetBaseException().GetType().Name}); automatic recovery every {_retryInterval.TotalMilliseconds:0} ms");
        return Task.CompletedTask;
    }

    private Task OnBlockedAsync(object sender, ConnectionBlockedEventArgs e)
    {
        _health.ReportUnavailable($"RabbitMQ broker at {Broker} blocks publishers ({e.Reason}): a memory or disk alarm");
        return Task.CompletedTask;
    }

    private Task OnUnblockedAsync(object sender, AsyncEventArgs e)
    {
        _health.ReportAvailable();
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
