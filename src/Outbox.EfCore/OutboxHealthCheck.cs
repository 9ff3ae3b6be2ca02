using System.Globalization;
using Messaging.Outbox.Dispatch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>
/// The outbox's health (check <c>messaging-outbox</c>, tag <c>messaging</c>), from three indexed queries: Pending
/// rows and the oldest one's age, and Failed rows. Unhealthy when the oldest Pending row is older than
/// <see cref="OutboxHealthOptions.PendingAgeUnhealthyMs"/> (committed messages are not reaching the broker); Degraded
/// when it is older than <see cref="OutboxHealthOptions.PendingAgeDegradedMs"/>, when more than
/// <see cref="OutboxHealthOptions.PendingCountDegraded"/> rows are Pending, when at least
/// <see cref="OutboxHealthOptions.FailedRowsDegraded"/> rows are Failed, or while the dispatcher has a transport
/// paused, or while Pending rows name a transport this host does not use (they wait for a host that does); Healthy otherwise. The data lists the figures and the paused transports.
/// </summary>
internal sealed class OutboxHealthCheck<TContext>(IServiceScopeFactory scopes, TransportCircuits circuits, IOptions<OutboxOptions> options, TimeProvider time)
    : IHealthCheck where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = options.Value.Health;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var outbox = scope.ServiceProvider.GetRequiredService<TContext>().Set<OutboxMessage>().AsNoTracking();
            var byTransport = await OutboxMetrics.PendingByTransportAsync(scope.ServiceProvider.GetRequiredService<TContext>(), cancellationToken).ConfigureAwait(false);
            var pending = byTransport.Sum(t => t.Pending);
            var others = byTransport.Where(t => !circuits.Sends(t.Transport)).Select(t => $"{t.Pending} for {t.Transport ?? "(none)"}").ToList();
            var failed = await outbox.CountAsync(m => m.Status == OutboxStatus.Failed, cancellationToken).ConfigureAwait(false);
            var oldest = await outbox.Where(m => m.Status == OutboxStatus.Pending).OrderBy(m => m.Id)
                .Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var ageMs = oldest is { } created ? Math.Max(0, (long)(time.GetUtcNow().UtcDateTime - created).TotalMilliseconds) : 0;
            var paused = circuits.Paused;
            var data = new Dictionary<string, object>
            {
                ["pending"] = pending,
                ["oldest_pending_age_ms"] = ageMs,
                ["failed"] = failed,
                ["paused_transports"] = string.Join(", ", paused),
                ["pending_for_other_transports"] = string.Join(", ", others),
            };
            var summary = string.Create(CultureInfo.InvariantCulture, $"{pending} pending (oldest {ageMs / 1000} s), {failed} failed")
                + (paused.Count > 0 ? $", paused: {string.Join(", ", paused)}" : "")
                + (others.Count > 0 ? $", pending for transports this host does not use: {string.Join(", ", others)}" : "");
            if (ageMs > limits.PendingAgeUnhealthyMs)
                return new HealthCheckResult(context.Registration.FailureStatus, $"outbox not draining: {summary}", data: data);
            var degraded = ageMs > limits.PendingAgeDegradedMs || pending > limits.PendingCountDegraded
                || (limits.FailedRowsDegraded > 0 && failed >= limits.FailedRowsDegraded) || paused.Count > 0 || others.Count > 0;
            return degraded ? HealthCheckResult.Degraded(summary, data: data) : HealthCheckResult.Healthy(summary, data);
        }
    }
}
