using Messaging.Dashboard.Activity;
using Messaging.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Messaging.Dashboard;

/// <summary>Mounts the dashboard in the service's own ASP.NET Core app: no server, database, script or font of its own.</summary>
public static class DashboardEndpointExtensions
{
    /// <summary>Adds what the dashboard needs besides the application's DbContext: antiforgery (its POST forms carry a token),
    /// and a hosted service that keeps what this instance sees for the overview (per-minute counts of the last hour from
    /// <see cref="Diagnostics.MessagingStatistics"/>, the transports' outages, Kafka lag per partition from the
    /// <c>messaging.kafka.consumer.lag</c> gauge), in memory only. Call it after <c>AddMessaging</c>.
    /// Authentication and authorization are the application's: register a scheme and, if the dashboard is to use them,
    /// the policies named in <see cref="DashboardOptions"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The same <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddMessagingDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        services.TryAddSingleton<MessagingActivity>();
        services.AddHostedService(sp => sp.GetRequiredService<MessagingActivity>());
        return services;
    }

    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/> on the messaging tables of <typeparamref name="TContext"/>:
    /// <list type="bullet">
    /// <item><c>GET {prefix}/</c>: each transport (broker reachable, publishing paused, consumers) and the outages this
    /// instance saw; the <c>messaging</c> health checks with their data; per-minute charts of the last hour (published,
    /// handled, dead-lettered, Kafka lag); Kafka lag per partition; outbox Pending and Failed rows; dead letters by failure
    /// group; held messages.</item>
    /// <item><c>GET {prefix}/dead-letters[?group=fingerprint]</c>, <c>GET {prefix}/dead-letters/{messageId}</c> (where the
    /// message is now; headers whose name suggests a secret are hidden), <c>GET {prefix}/brokers</c> (the first
    /// <see cref="DashboardOptions.PageSize"/> copies of each broker dead-letter queue or topic, read and given back, at most
    /// 10 s per broker), <c>GET {prefix}/keys</c>, <c>GET {prefix}/outbox[?status=…]</c>, <c>GET {prefix}/inbox</c>,
    /// <c>GET {prefix}/guarantees</c>.</item>
    /// <item>Unless <see cref="DashboardOptions.ReadOnly"/>: <c>GET {prefix}/confirm?action=redrive|discard&amp;group=…|id=…</c>
    /// (or a POST of the messages chosen on a group page) shows the count and groups, and its form POSTs (antiforgery
    /// token, a reason) to <c>{prefix}/redrive</c> or <c>{prefix}/discard</c>: a re-drive job recorded as
    /// <c>user (dashboard)</c>, or a discard; <c>GET {prefix}/confirm-retry[?id=…]</c> and its POST to
    /// <c>{prefix}/outbox/retry</c> put Failed outbox rows back to Pending. Each change is logged with the user's name
    /// (events 5000 re-drive, 5001 discard, 5002 retry).</item>
    /// </list>
    /// Every page requires an authenticated user (or <see cref="DashboardOptions.ViewPolicy"/>) unless
    /// <see cref="DashboardOptions.AllowAnonymous"/>; changes also require <see cref="DashboardOptions.ChangePolicy"/>.
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext whose model has the messaging tables (<c>AddMessagingTables</c>).</typeparam>
    /// <param name="endpoints">The app (<c>WebApplication</c>) or another route builder.</param>
    /// <param name="prefix">Where to mount it, for example <c>/messaging</c>.</param>
    /// <param name="configure">Sets <see cref="DashboardOptions"/>; null keeps the secure defaults.</param>
    /// <returns>The route group, for more conventions (for example <c>RequireHost</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with '/', or
    /// <see cref="DashboardOptions.PageSize"/> is outside 1..10000.</exception>
    public static RouteGroupBuilder MapMessagingDashboard<TContext>(this IEndpointRouteBuilder endpoints, string prefix = "/messaging",
        Action<DashboardOptions>? configure = null) where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!prefix.StartsWith('/')) throw new ArgumentException($"The dashboard's prefix must start with '/': '{prefix}'.", nameof(prefix));
        var options = new DashboardOptions();
        configure?.Invoke(options);
        if (options.PageSize is < 1 or > 10_000)
            throw new ArgumentException($"DashboardOptions.PageSize is {options.PageSize}; allowed 1..10000.", nameof(configure));
        var root = prefix.TrimEnd('/');
        var group = endpoints.MapGroup(root.Length == 0 ? "/" : root);
        if (options.AllowAnonymous) group.AllowAnonymous();
        else if (options.ViewPolicy is { } view) group.RequireAuthorization(view);
        else group.RequireAuthorization();

        var pages = new DashboardPages<TContext>(root, options);
        group.MapGet("/", Handler(pages.OverviewAsync));
        group.MapGet("/dead-letters", Handler(pages.DeadLettersAsync));
        group.MapGet("/dead-letters/{messageId}", pages.DeadLetterAsync);
        group.MapGet("/keys", Handler(pages.KeysAsync));
        group.MapGet("/outbox", Handler(pages.OutboxAsync));
        group.MapGet("/inbox", Handler(pages.InboxAsync));
        group.MapGet("/guarantees", Handler(pages.GuaranteesAsync));
        group.MapGet("/brokers", Handler(new BrokerDeadLetterPage<TContext>(root, options).ShowAsync));
        if (options.ReadOnly) return group;

        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Messaging.Dashboard");
        var changes = new DashboardChanges<TContext>(root, logger);
        RouteHandlerBuilder[] change =
        [
            group.MapGet("/confirm", Handler(changes.ConfirmAsync)),
            group.MapPost("/confirm", Handler(changes.ConfirmAsync)), // a group page's chosen messages (antiforgery checked)
            group.MapPost("/redrive", Handler(context => changes.ChangeAsync(context, "redrive"))), // the handler validates the antiforgery token
            group.MapPost("/discard", Handler(context => changes.ChangeAsync(context, "discard"))),
            group.MapGet("/confirm-retry", Handler(changes.ConfirmRetryAsync)),
            group.MapPost("/outbox/retry", Handler(changes.RetryAsync)),
        ];
        if (options.ChangePolicy is { } policy)
            foreach (var endpoint in change) endpoint.RequireAuthorization(policy);
        return group;
    }

    /// <summary>As a <see cref="Delegate"/>, so that MapGet takes the handler's <see cref="IResult"/> (given as a method
    /// group or lambda it would bind to <see cref="RequestDelegate"/>, whose Task result is discarded: ASP0016).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;
}
