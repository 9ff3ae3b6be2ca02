using System.Text.RegularExpressions;
using Messaging.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.Configuration;

internal sealed partial class MessagingOptionsValidator(IEnumerable<TransportRegistration> transports) : IValidateOptions<MessagingOptions>
{
    public static readonly string[] KnownTransports = ["InMemory", "RabbitMq", "Kafka"];

    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        var errors = new List<string>();
        var registered = transports.Select(t => t.Name).ToList();
        CheckTransport("Messaging:Transport", options.Transport, registered, errors);
        for (var i = 0; i < options.ConsumeFrom.Length; i++)
            CheckTransport($"Messaging:ConsumeFrom:{i}", options.ConsumeFrom[i], registered, errors);
        if (string.IsNullOrEmpty(options.Endpoint) || !EndpointName().IsMatch(options.Endpoint))
            errors.Add($"Messaging:Endpoint is '{options.Endpoint}'; use 1 to 200 letters, digits, '.', '_' or '-'.");
        if (options.HandlerTimeoutMs is < 1 or > 3_600_000)
            errors.Add($"Messaging:HandlerTimeoutMs is {options.HandlerTimeoutMs}; allowed 1..3600000 (ms).");
        if (options.MaxBodyBytes is < 1 or > 134_217_728)
            errors.Add($"Messaging:MaxBodyBytes is {options.MaxBodyBytes}; allowed 1..134217728 (bytes).");
        if (!Enum.IsDefined(options.StartupMode))
            errors.Add($"Messaging:StartupMode is '{options.StartupMode}'; allowed values: {string.Join(", ", Enum.GetNames<StartupMode>())}.");
        if (options.StartupWaitMs is < 0 or > 600_000)
            errors.Add($"Messaging:StartupWaitMs is {options.StartupWaitMs}; allowed 0..600000 (ms).");
        var retry = options.Retry;
        if (retry.MaxAttempts is < 1 or > 100)
            errors.Add($"Messaging:Retry:MaxAttempts is {retry.MaxAttempts}; allowed 1..100.");
        if (retry.InitialDelayMs is < 0 or > 600_000)
            errors.Add($"Messaging:Retry:InitialDelayMs is {retry.InitialDelayMs}; allowed 0..600000 (ms).");
        if (retry.MaxDelayMs < retry.InitialDelayMs || retry.MaxDelayMs > 3_600_000)
            errors.Add($"Messaging:Retry:MaxDelayMs is {retry.MaxDelayMs}; allowed InitialDelayMs..3600000 (ms).");
        if (retry.DelayedRetryDelaysMs.Any(d => d is < 1 or > 86_400_000))
            errors.Add($"Messaging:Retry:DelayedRetryDelaysMs has {string.Join(", ", retry.DelayedRetryDelaysMs)}; each delay must be 1..86400000 (ms).");
        if (retry.MaxDeliveries is < 1 or > 1000)
            errors.Add($"Messaging:Retry:MaxDeliveries is {retry.MaxDeliveries}; allowed 1..1000.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckTransport(string key, string value, List<string> registered, List<string> errors)
    {
        if (!KnownTransports.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{key} is '{value}'; allowed values: {string.Join(", ", KnownTransports)}.");
        }
        else if (!registered.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            var canonical = KnownTransports.First(t => string.Equals(t, value, StringComparison.OrdinalIgnoreCase));
            errors.Add($"{key} is '{value}' but that transport is not registered: reference Messaging.Transports.{canonical} and call builder.Add{canonical}(). Registered: {string.Join(", ", registered)}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex EndpointName();
}
