using System.Globalization;
using Messaging.Configuration;
using Microsoft.Extensions.Logging;

namespace Messaging.Hosting;

/// <summary>
/// The guarantees in force at this host's start-up, one entry per consumed transport: the transport's (confirms, acks,
/// idempotence, ordering mode, prefetch, concurrency, dead-letter destination), the retry and dead-letter policy, the inbox
/// and the outbox. The same sentences as the start-up log entries (event 1010). Registered as a singleton by
/// <c>AddMessaging</c>; empty until the messaging hosted service has started.
/// </summary>
public sealed class StartupGuarantees
{
    private volatile IReadOnlyList<EndpointGuarantees> _endpoints = [];

    /// <summary>One entry per consumed transport (<c>Messaging:ConsumeFrom</c>, default the primary), in that order; empty
    /// before start-up.</summary>
    public IReadOnlyList<EndpointGuarantees> Endpoints => _endpoints;

    /// <summary>Builds the report, keeps it and writes one log entry per transport (event 1010).</summary>
    internal void Write(ILogger logger, MessagingOptions options, IEnumerable<GuaranteeStatement> statements, IReadOnlyList<string> transports,
        IReadOnlyList<Transport.ConsumerEndpoint> consumers)
    {
        IReadOnlyList<string> destinations = [.. consumers.SelectMany(c => c.Destinations).Distinct(StringComparer.Ordinal)];
        var all = statements.DistinctBy(s => (s.Transport?.ToUpperInvariant(), s.Topic)).ToList(); // a package added twice reports once
        var retry = options.Retry;
        var delayed = retry.DelayedRetryDelaysMs.Length == 0 ? "no delayed retries"
            : "delayed retries after [" + string.Join(", ", retry.DelayedRetryDelaysMs.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "] ms";
        var policy = string.Create(CultureInfo.InvariantCulture,
            $"retry: {retry.MaxAttempts} immediate attempt(s) with {retry.InitialDelayMs}-{retry.MaxDelayMs} ms backoff, {delayed}, then dead-letter; poison after {retry.MaxDeliveries} deliveries; handler timeout {options.HandlerTimeoutMs} ms; " +
            $"messages without a handler here {(options.UnhandledMessages == Handling.UnhandledMessagePolicy.Skip ? "acknowledged and counted (Skip)" : "dead-lettered")}");
        var shared = all.Where(s => s.Transport is null).Select(s => s.Describe(options.Endpoint)).ToList();
        if (!all.Any(s => s.Topic == GuaranteeStatement.InboxTopic)) shared.Insert(0, "inbox off: a redelivered message runs its handlers again");
        var endpoints = transports.Select(transport => new EndpointGuarantees(options.Endpoint, transport, destinations,
            [.. all.Where(s => string.Equals(s.Transport, transport, StringComparison.OrdinalIgnoreCase)).Select(s => s.Describe(options.Endpoint)).Append(policy).Concat(shared)])).ToList();
        foreach (var endpoint in endpoints)
            Log.EndpointGuarantees(logger, endpoint.Endpoint, endpoint.Transport, endpoint.Consumes ? "consumes" : "publishes only", string.Join("; ", endpoint.Statements));
        _endpoints = endpoints;
    }
}

/// <summary>What one endpoint guarantees on one transport (<see cref="StartupGuarantees"/>).</summary>
/// <param name="Endpoint">The endpoint (<c>Messaging:Endpoint</c>).</param>
/// <param name="Transport">The transport's name (<c>RabbitMq</c>, <c>Kafka</c>, <c>InMemory</c>).</param>
/// <param name="Destinations">The exchanges (RabbitMQ) or topics (Kafka) the endpoint consumes through it; empty when this
/// host only publishes.</param>
/// <param name="Statements">Short sentences, transport's first, then the retry policy, then the inbox's and the outbox's;
/// never a secret.</param>
public sealed record EndpointGuarantees(string Endpoint, string Transport, IReadOnlyList<string> Destinations, IReadOnlyList<string> Statements)
{
    /// <summary>True when this host consumes through the transport; false when it only publishes.</summary>
    public bool Consumes => Destinations.Count > 0;
}
