using System.Globalization;
using Messaging.Configuration;
using Microsoft.Extensions.Logging;

namespace Messaging.Hosting;

/// <summary>Writes one log entry per endpoint and consumed transport with the guarantees in force (event 1010): the
/// transport's (confirms, acks, idempotence, ordering mode, prefetch, concurrency, dead-letter destination), the retry and
/// dead-letter policy, the inbox and the outbox.</summary>
internal static class StartupReport
{
    public static void Write(ILogger logger, MessagingOptions options, IEnumerable<GuaranteeStatement> statements, IReadOnlyList<string> transports, bool consumes)
    {
        var all = statements.DistinctBy(s => (s.Transport?.ToUpperInvariant(), s.Topic)).ToList(); // a package added twice reports once
        var retry = options.Retry;
        var delayed = retry.DelayedRetryDelaysMs.Length == 0 ? "no delayed retries"
            : "delayed retries after [" + string.Join(", ", retry.DelayedRetryDelaysMs.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "] ms";
        var policy = string.Create(CultureInfo.InvariantCulture,
            $"retry: {retry.MaxAttempts} immediate attempt(s) with {retry.InitialDelayMs}-{retry.MaxDelayMs} ms backoff, {delayed}, then dead-letter; poison after {retry.MaxDeliveries} deliveries; handler timeout {options.HandlerTimeoutMs} ms; " +
            $"messages without a handler here {(options.UnhandledMessages == Handling.UnhandledMessagePolicy.Skip ? "acknowledged and counted (Skip)" : "dead-lettered")}");
        var shared = all.Where(s => s.Transport is null).Select(s => s.Describe(options.Endpoint)).ToList();
        if (!all.Any(s => s.Topic == GuaranteeStatement.InboxTopic)) shared.Insert(0, "inbox off: a redelivered message runs its handlers again");
        foreach (var transport in transports)
        {
            var own = all.Where(s => string.Equals(s.Transport, transport, StringComparison.OrdinalIgnoreCase)).Select(s => s.Describe(options.Endpoint));
            Log.EndpointGuarantees(logger, options.Endpoint, transport, consumes ? "consumes" : "publishes only",
                string.Join("; ", own.Append(policy).Concat(shared)));
        }
    }
}
