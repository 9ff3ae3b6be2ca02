using Messaging.Handling;
using Messaging.Configuration;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>
/// Runs the registered <see cref="IStartupCheck"/>s, checks at host start that every route's transport exists and that each consumed transport can honour the retry
/// policy, prepares each consumed transport's topology, then runs this endpoint's receive loops.
/// <see cref="StartupMode.FailFast"/>: a broker that cannot be reached fails start-up.
/// <see cref="StartupMode.Degraded"/>: start-up waits for each broker's first attempt (at most
/// <c>StartupWaitMs</c>); a broker that cannot be reached is tried again in the background with backoff, and its
/// receive loops start once it answers. In both modes a refused topology or login fails start-up (or, found later,
/// stops the host). Stopping waits for in-flight handlers. Under <see cref="MessagingHostExtensions.RunMessagingAsync"/> such a
/// failure is one log line, a stopped application and an exit code instead of an exception.
/// </summary>
internal sealed class MessagingHostedService(
    MessagingTransports transports,
    MessageTypeMap routes,
    HandlerRegistry handlers,
    MessagePipeline pipeline,
    IOptions<MessagingOptions> options,
    IEnumerable<GuaranteeStatement> guarantees,
    StartupGuarantees report,
    IEnumerable<IStartupCheck> checks,
    FatalStartup fatal,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<MessagingHostedService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5); // a consumer that attaches late leaves the producers' messages unroutable

    private readonly IReadOnlyList<ConsumerEndpoint> _endpoints = handlers.Endpoints(options.Value.Endpoint);
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyList<IMessageTransport> _consumed = [];
    private Task<bool>[] _prepared = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFatal(ex, cancellationToken))
        {
            if (!fatal.ExitInsteadOfThrow)
            {
                Report(ex);
                throw;
            }
            Stop(ex);
            return;
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the routes and the retry policy against the transports, writes the start-up report and prepares each
    /// consumed transport (<see cref="StartupMode.FailFast"/>: all of them; <see cref="StartupMode.Degraded"/>: waits at most
    /// <c>StartupWaitMs</c> for each one's first attempt).</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        foreach (var check in checks) await check.CheckAsync(cancellationToken).ConfigureAwait(false);
        foreach (var route in routes.Routes) transports.Get(route.Transport); // an unknown transport fails here
        _consumed = transports.Consumed;
        report.Write(logger, options.Value, guarantees, [.. _consumed.Select(t => t.Name)], _endpoints);
        foreach (var transport in _consumed)
        {
            if (options.Value.Retry.DelayedRetryDelaysMs.Length > 0 && !transport.Capabilities.HasFlag(TransportCapabilities.DelayedRetry))
                throw new InvalidOperationException(
                    $"Messaging:Retry:DelayedRetryDelaysMs is set but the {transport.Name} transport cannot deliver a message again after a delay; remove the setting or choose another transport.");
        }
        if (options.Value.StartupMode == StartupMode.FailFast)
        {
            foreach (var transport in _consumed)
            {
                await transport.PrepareAsync(_endpoints, cancellationToken).ConfigureAwait(false);
                Log.TransportReady(logger, transport.Name, _endpoints.Count, Destinations());
            }
            _prepared = [.. _consumed.Select(_ => Task.FromResult(true))];
        }
        else
        {
            var firstAttempts = _consumed.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            _prepared = [.. _consumed.Select((transport, i) => PrepareUntilReachableAsync(transport, firstAttempts[i], _stopping.Token))];
            var firstDone = Task.WhenAll(firstAttempts.Select(f => f.Task));
            await Task.WhenAny(firstDone, Task.Delay(TimeSpan.FromMilliseconds(options.Value.StartupWaitMs), time, cancellationToken)).ConfigureAwait(false);
            foreach (var failed in _prepared.Where(p => p.IsFaulted)) await failed.ConfigureAwait(false); // can never work: fail start-up
            for (var i = 0; i < _consumed.Count; i++)
                if (!_prepared[i].IsCompleted) Log.StartingDegraded(logger, _consumed[i].Name);
        }
    }

    /// <summary>Failures that no waiting can mend: a refused login, TLS certificate or topology, a setting the transports
    /// cannot honour, an unreachable broker under <see cref="StartupMode.FailFast"/>.</summary>
    private static bool IsFatal(Exception error, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && error is MessagingException or InvalidOperationException;

    /// <summary>Logs a fatal failure in one line before it is rethrown (the generic host logs it again with its stack trace).</summary>
    private void Report(Exception error, string? transport = null) =>
        Log.TransportCannotWork(logger, transport ?? string.Join(", ", _consumed.Select(t => t.Name)), MessagingHostExtensions.OneLine(error.Message));

    /// <summary>Ends the application for a failure that can never go away: one line, the exit code, no exception.</summary>
    private void Stop(Exception error)
    {
        var code = MessagingHostExtensions.ExitCodeFor(error);
        Log.CannotStart(logger, MessagingHostExtensions.OneLine(error.Message), code);
        fatal.Fail(code);
        lifetime.StopApplication();
    }

    /// <summary>Stops consuming. Called after <see cref="Dispose"/> it does nothing: <c>RunAsync</c> disposes the host as soon
    /// as its own stop has finished, while another caller may still be stopping the same host (ASP.NET Core's
    /// <c>WebApplicationFactory</c> does).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1) return;
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return; // disposed meanwhile: the stop that disposed it has finished
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Dispose();
        base.Dispose();
    }

    private int _disposed;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_consumed.Select((transport, i) => RunAsync(transport, _prepared[i], stoppingToken)));

    private async Task RunAsync(IMessageTransport transport, Task<bool> prepared, CancellationToken stoppingToken)
    {
        try
        {
            if (!await prepared.ConfigureAwait(false)) return;
        }
        catch (Exception ex) when (IsFatal(ex, stoppingToken))
        {
            // Found after start-up (the broker answered late): the host stops the same way.
            if (!fatal.ExitInsteadOfThrow)
            {
                Report(ex, transport.Name);
                throw;
            }
            Stop(ex);
            return;
        }
        transport.Health.ConsumersRunning = _endpoints.Count > 0;
        try
        {
            await Task.WhenAll(_endpoints.Select(endpoint => transport.ReceiveAsync(endpoint, pipeline.ProcessAsync, stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            transport.Health.ConsumersRunning = false;
        }
    }

    /// <summary>Prepares the transport, waiting out an unreachable broker; false when stopped first. Any other failure
    /// (refused topology or login) can never go away by waiting: it is logged as Critical and rethrown, which fails
    /// start-up or, later, stops the host. <paramref name="firstAttempt"/> completes when the first attempt is over.</summary>
    private async Task<bool> PrepareUntilReachableAsync(IMessageTransport transport, TaskCompletionSource firstAttempt, CancellationToken stoppingToken)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await transport.PrepareAsync(_endpoints, stoppingToken).ConfigureAwait(false);
                    transport.Health.ReportAvailable();
                    Log.TransportReady(logger, transport.Name, _endpoints.Count, Destinations());
                    return true;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return false;
                }
                catch (BrokerUnavailableException ex)
                {
                    transport.Health.ReportUnavailable(ex.Message);
                }
                firstAttempt.TrySetResult();
                if (!await WaitToRetryAsync(transport.Health, attempt, stoppingToken).ConfigureAwait(false)) return false;
            }
        }
        finally
        {
            firstAttempt.TrySetResult();
        }
    }

    /// <summary>Backoff before the next attempt, cut short when the transport sees its broker again (so this host's
    /// queues exist before the outbox, which probes the same broker, publishes to them).</summary>
    private Task<bool> WaitToRetryAsync(TransportHealth health, int attempt, CancellationToken stoppingToken) =>
        health.WaitOrUntilAvailableAsync(Backoff.Delay(attempt, FirstRetry, MaxRetry), time, stoppingToken);

    private string Destinations() => string.Join(", ", _endpoints.SelectMany(e => e.Destinations));
}
