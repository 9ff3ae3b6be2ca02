using Messaging.Configuration;
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.Outbox.DeadLetters;
using Messaging.Outbox.Dialects;
using Messaging.Outbox.Dispatch;
using Messaging.Outbox.Inbox;
using Messaging.Outbox.Schema;
using Messaging.Outbox.Writing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>Registers the EF Core outbox and inbox with messaging.</summary>
public static class OutboxMessagingBuilderExtensions
{
    /// <summary>
    /// Adds the outbox and the inbox on the application's DbContext <typeparamref name="TContext"/>:
    /// <list type="bullet">
    /// <item><see cref="IOutbox"/> (scoped): adds outbox rows to the scoped context; the application's commit
    /// makes them durable together with its business rows.</item>
    /// <item>A hosted dispatcher that claims committed rows (a lease, so several instances can dispatch from one
    /// database), publishes each through its transport with publisher confirms in order per partition key, and marks
    /// them sent (at-least-once); it also deletes old rows (<see cref="OutboxOptions.SentRetentionMs"/>,
    /// <see cref="OutboxOptions.InboxRetentionMs"/>).</item>
    /// <item>A commit interceptor added to <typeparamref name="TContext"/>'s options (through
    /// <c>ConfigureDbContext</c>) that wakes the dispatcher once rows committed; polling is the fallback; with
    /// <see cref="OutboxOptions.UseListenNotify"/> on PostgreSQL, a <c>LISTEN</c> connection as well.</item>
    /// <item>An inbox handler filter: each handler runs in a transaction on the scoped context that records
    /// (message id, handler name) with the handler's changes; a recorded message is skipped (once per handler).</item>
    /// <item>An <see cref="IDeliveryLedger"/> on the same database: poison detection counts only redeliveries that
    /// reached the handlers (<see cref="RedeliveryRecord"/>).</item>
    /// <item>A dead-letter recorder: every message a transport dead-letters is also recorded in the <see cref="DeadLetter"/>
    /// table, after the broker confirmed its dead-letter copy and before the message is acknowledged, so it can be read,
    /// re-driven through the outbox with its message id or discarded (<c>messaging dlq …</c>).</item>
    /// <item>An <see cref="IKeyOrderGate"/> on the dead-letters table, which holds a partition key's later messages behind its
    /// dead letter when <see cref="OutboxOptions.KeyOrderedDeadLetters"/> is on (otherwise it lets every message pass).</item>
    /// <item><see cref="OutboxOptions"/> bound from <c>Messaging:Outbox</c>, validated at start-up.</item>
    /// <item>A start-up check, before any transport consumes, that every messaging table has the columns the model maps: a
    /// table or column missing (an upgrade without its migration) stops the host (an <see cref="IStartupCheck"/> failing with
    /// a <see cref="MessagingException"/> naming it); an unreachable database is logged (event 4016) and left to the retries.</item>
    /// <item>The health check <c>messaging-outbox</c> (tag <c>messaging</c>): pending rows and the oldest one's age,
    /// failed rows, paused transports, against <see cref="OutboxHealthOptions"/>.</item>
    /// </list>
    /// </summary>
    /// <typeparam name="TContext">The application's DbContext, registered scoped with <c>AddDbContext</c>; its
    /// <c>OnModelCreating</c> must call <see cref="MessagingModelBuilderExtensions.AddMessagingTables"/>.</typeparam>
    /// <param name="builder">The builder returned by <c>AddMessaging</c>.</param>
    /// <param name="configure">Changes options after the configuration section is applied; null for none.</param>
    /// <returns>The same <paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static MessagingBuilder AddEntityFrameworkOutbox<TContext>(this MessagingBuilder builder, Action<OutboxOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.BindAndValidate<OutboxOptions>(builder.Configuration.GetSection(OutboxOptions.SectionName));
        if (configure is not null) options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<OutboxClaimer>();
        services.TryAddSingleton<OutboxSender>();
        services.TryAddSingleton<TransportCircuits>();
        services.TryAddSingleton<OutboxMarker>();
        services.TryAddSingleton<OutboxRetention>();
        services.TryAddSingleton<OutboxCommitInterceptor>();
        services.ConfigureDbContext<TContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor>(), new DialectConnectionInterceptor()));
        services.AddScoped<IOutbox, EntityFrameworkOutbox<TContext>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxFlusher, OutboxFlusher<TContext>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupCheck, MessagingSchemaCheck<TContext>>());
        services.AddHostedService<OutboxDispatcher<TContext>>();
        services.AddHostedService<OutboxListener<TContext>>();
        services.TryAddSingleton<InboxBatcher<TContext>>();
        builder.AddHandlerFilter<InboxFilter<TContext>>();
        services.TryAddSingleton<IDeliveryLedger, DeliveryLedger<TContext>>();
        services.TryAddSingleton<IDeadLetterRecorder, DeadLetterRecorder<TContext>>();
        services.TryAddSingleton<KeyHeadLookups<TContext>>();
        services.TryAddSingleton<IKeyOrderGate, KeyOrderGate<TContext>>();
        services.AddSingleton(sp => new GuaranteeStatement(null, GuaranteeStatement.InboxTopic, _ =>
        {
            var o = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            var batches = o.InboxBatchSize > 1 ? $"up to {o.InboxBatchSize} messages per transaction" : "one transaction per message";
            return $"inbox on ({typeof(TContext).Name}, {batches}); dead letters recorded in the database{(o.KeyOrderedDeadLetters ? ", each holding its partition key's later messages (key-ordered)" : "")}; outbox ordering {o.Ordering}, {o.MaxAttempts} attempts before Failed";
        }));
        services.AddHealthChecks().Add(new HealthCheckRegistration("messaging-outbox",
            sp => ActivatorUtilities.CreateInstance<OutboxHealthCheck<TContext>>(sp), HealthStatus.Unhealthy, [MessagingBuilder.HealthTag]));
        return builder;
    }
}
