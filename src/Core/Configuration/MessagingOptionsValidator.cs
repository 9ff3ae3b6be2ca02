using System.Text.RegularExpressions;
using Messaging.InMemory;
using Messaging.Transport;
using Microsoft.Extensions.Options;

namespace Messaging.Configuration;

internal sealed partial class MessagingOptionsValidator(IEnumerable<TransportRegistration> transports) : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        var errors = new OptionsErrors(MessagingOptions.SectionName);
        var registered = transports.Select(t => t.Name).ToList();
        if (string.IsNullOrWhiteSpace(options.Transport)) errors.Require(false, "Transport", NotSet(registered));
        else CheckTransport(errors, "Transport", options.Transport, registered);
        for (var i = 0; i < options.ConsumeFrom.Length; i++)
            CheckTransport(errors, $"ConsumeFrom:{i}", options.ConsumeFrom[i], registered);
        errors.Require(!string.IsNullOrEmpty(options.Endpoint) && EndpointName().IsMatch(options.Endpoint), "Endpoint",
            $"is '{options.Endpoint}'; use 1 to 200 letters, digits, '.', '_' or '-'.");
        errors.Range("HandlerTimeoutMs", options.HandlerTimeoutMs, 1, 3_600_000, "ms");
        errors.Range("MaxBodyBytes", options.MaxBodyBytes, 1, 134_217_728, "bytes");
        errors.Defined("StartupMode", options.StartupMode);
        errors.Defined("UnhandledMessages", options.UnhandledMessages);
        errors.Range("StartupWaitMs", options.StartupWaitMs, 0, 600_000, "ms");
        var retry = options.Retry;
        errors.Range("Retry:MaxAttempts", retry.MaxAttempts, 1, 100, "count");
        errors.Range("Retry:InitialDelayMs", retry.InitialDelayMs, 0, 600_000, "ms");
        errors.Range("Retry:MaxDelayMs", retry.MaxDelayMs, retry.InitialDelayMs, 3_600_000, "ms, at least Retry:InitialDelayMs");
        errors.Require(retry.DelayedRetryDelaysMs.All(d => d is >= 1 and <= 86_400_000), "Retry:DelayedRetryDelaysMs",
            $"has {string.Join(", ", retry.DelayedRetryDelaysMs)}; each delay must be 1..86400000 (ms).");
        errors.Range("Retry:MaxDeliveries", retry.MaxDeliveries, 1, 1000, "count");
        return errors.Result;
    }

    /// <summary>The registry decides: whatever <c>AddTransport</c> registered (InMemory always, a package's transport once its
    /// <c>Add…()</c> ran, a transport of the application's own) is a valid name.</summary>
    private static void CheckTransport(OptionsErrors errors, string key, string value, List<string> registered) =>
        errors.Require(registered.Contains(value, StringComparer.OrdinalIgnoreCase), key,
            $"is {Transport.TransportRegistration.NotRegistered(value, registered)}. " +
            "A transport package registers its transport: reference Messaging.Transports.RabbitMq and call builder.AddRabbitMq(), " +
            "or Messaging.Transports.Kafka and builder.AddKafka().");

    /// <summary>No default on purpose: a host whose <c>Messaging</c> section is missing would otherwise run on the in-process
    /// transport and publish the shared outbox's committed rows where no other service can receive them.</summary>
    private static string NotSet(List<string> registered)
    {
        var brokers = registered.Where(r => !string.Equals(r, InMemoryTransport.TransportName, StringComparison.OrdinalIgnoreCase)).ToList();
        var choice = brokers.Count > 0 ? string.Join(" or ", brokers)
            : "none is registered: reference Messaging.Transports.RabbitMq and call builder.AddRabbitMq(), or Messaging.Transports.Kafka and builder.AddKafka()";
        return $"is not set. Set it to the broker this service publishes through ({choice}), or to {InMemoryTransport.TransportName} " +
            "for in-process messages that nothing keeps across a restart (tests, demos). There is no default, so that a missing " +
            "'Messaging' section never sends committed outbox rows where no broker receives them.";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex EndpointName();
}
