using Messaging.Transport;
using Messaging.Handling;
using Messaging.Configuration;
using Messaging.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messaging.Diagnostics;

/// <summary>
/// The health of one registered transport (check <c>messaging-&lt;transport&gt;</c>, tag <c>messaging</c>):
/// Healthy when its broker is reachable and, if this host consumes from it, its consumers are receiving; Degraded
/// while the broker answers but the consumers are still starting or the transport reports them
/// <see cref="ConsumerCondition.NotConsuming"/>; the registration's failure status (Unhealthy) while the broker cannot be
/// reached or the consumers are <see cref="ConsumerCondition.Stalled"/>. A transport this host does not use is Healthy ("not used").
/// </summary>
/// <remarks>Unhealthy is meant for readiness (the service cannot deliver what it accepts), not for liveness: restarting
/// the process does not bring a broker back, and the outbox keeps accepting writes meanwhile.</remarks>
internal sealed class TransportHealthCheck(
    string transport,
    MessagingTransports transports,
    TransportUsage usage,
    HandlerRegistry handlers,
    IOptions<MessagingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!usage.IsUsed(transport)) return Task.FromResult(HealthCheckResult.Healthy($"{transport} is not used by this host"));
        var health = transports.Get(transport).Health;
        var consumes = handlers.Destinations.Count > 0
            && options.Value.ConsumedTransports().Contains(transport, StringComparer.OrdinalIgnoreCase);
        var data = new Dictionary<string, object>
        {
            ["available"] = health.IsAvailable,
            ["consumes"] = consumes,
            ["consumers_running"] = health.ConsumersRunning,
        };
        if (health.PublishPausedSince is { } paused)
            data["publish_paused_since"] = paused.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (!health.IsAvailable)
        {
            var since = health.UnavailableSince;
            if (since is { } s) data["unavailable_since"] = s.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                $"{transport} cannot reach its broker since {since:O}: {health.Problem}", data: data));
        }
        if (consumes && !health.ConsumersRunning)
            return Task.FromResult(HealthCheckResult.Degraded($"{transport} reaches its broker; consumers are starting", data: data));
        var condition = consumes ? health.ConsumerCondition : ConsumerCondition.Consuming;
        data["consumer_condition"] = condition.ToString();
        if (condition == ConsumerCondition.Stalled)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"{transport} consumers stalled: {health.ConsumerProblem}", data: data));
        if (condition == ConsumerCondition.NotConsuming)
            return Task.FromResult(HealthCheckResult.Degraded($"{transport} connected, consumers not consuming: {health.ConsumerProblem}", data: data));
        return Task.FromResult(HealthCheckResult.Healthy(consumes ? $"{transport} connected, consumers running" : $"{transport} connected", data));
    }
}
