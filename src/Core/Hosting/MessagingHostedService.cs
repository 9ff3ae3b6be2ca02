using Messaging.Configuration;
using Messaging.Routing;
using Messaging.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>
/// Prepares each consumed transport's topology at host start (so an unreachable broker fails start-up),
/// checks that every route's transport exists, and runs this endpoint's receive loop on each consumed
/// transport until the host stops; stopping waits for in-flight handlers.
/// </summary>
internal sealed class MessagingHostedService(
    MessagingTransports transports,
    MessageTypeMap routes,
    HandlerRegistry handlers,
    MessagePipeline pipeline,
    IOptions<MessagingOptions> options,
    ILogger<MessagingHostedService> logger) : BackgroundService
{
    private readonly IReadOnlyList<ConsumerEndpoint> _endpoints = handlers.Endpoints(options.Value.Endpoint);
    private IReadOnlyList<IMessageTransport> _consumed = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var route in routes.Routes) transports.Get(route.Transport); // an unknown transport fails here
        _consumed = transports.Consumed;
        foreach (var transport in _consumed)
        {
            if (options.Value.Retry.DelayedRetryDelaysMs.Length > 0 && !transport.Capabilities.HasFlag(TransportCapabilities.DelayedRetry))
                throw new InvalidOperationException(
                    $"Messaging:Retry:DelayedRetryDelaysMs is set but the {transport.Name} transport cannot deliver a message again after a delay; remove the setting or choose another transport.");
            await transport.PrepareAsync(_endpoints, cancellationToken).ConfigureAwait(false);
            Log.TransportReady(logger, transport.Name, _endpoints.Count, string.Join(", ", _endpoints.SelectMany(e => e.Destinations)));
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_consumed.SelectMany(transport =>
            _endpoints.Select(endpoint => transport.ReceiveAsync(endpoint, pipeline.ProcessAsync, stoppingToken))));
}
