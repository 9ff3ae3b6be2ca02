using Messaging.Configuration;
using Messaging.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>
/// Prepares the transport's topology at host start (so an unreachable broker fails start-up) and runs
/// this endpoint's receive loop until the host stops; stopping waits for in-flight handlers.
/// </summary>
internal sealed class MessagingHostedService(
    IMessageTransport transport,
    HandlerRegistry handlers,
    MessagePipeline pipeline,
    IOptions<MessagingOptions> options,
    ILogger<MessagingHostedService> logger) : BackgroundService
{
    private readonly IReadOnlyList<ConsumerEndpoint> _endpoints = handlers.Endpoints(options.Value.Endpoint);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Retry.DelayedRetryDelaysMs.Length > 0 && !transport.Capabilities.HasFlag(TransportCapabilities.DelayedRetry))
            throw new InvalidOperationException(
                $"Messaging:Retry:DelayedRetryDelaysMs is set but the {transport.Name} transport cannot deliver a message again after a delay; remove the setting or choose another transport.");
        await transport.PrepareAsync(_endpoints, cancellationToken).ConfigureAwait(false);
        Log.TransportReady(logger, transport.Name, _endpoints.Count, string.Join(", ", _endpoints.SelectMany(e => e.Destinations)));
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_endpoints.Select(endpoint => transport.ReceiveAsync(endpoint, pipeline.ProcessAsync, stoppingToken)));
}
