using Messaging.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.RabbitMq;

/// <summary>Validates <see cref="RabbitMqOptions"/> only when the host uses RabbitMQ (<c>Messaging:Transport</c>, <c>Messaging:ConsumeFrom</c> or a route).</summary>
internal sealed class RabbitMqOptionsValidator(TransportUsage usage) : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        if (!usage.IsUsed(RabbitMqTransport.TransportName))
            return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        if (!RabbitMqEndpoint.TryParse(options.Uri, out _))
            errors.Add($"{RabbitMqOptions.SectionName}:Uri is not an absolute amqp:// or amqps:// URI (the value is not shown: it may hold a password).");
        for (var i = 0; i < options.Hosts.Length; i++)
        {
            if (!RabbitMqClusterNodes.TryParse(options.Hosts[i], out _, out _))
                errors.Add($"{RabbitMqOptions.SectionName}:Hosts:{i} is not host or host:port (port 1..65535, IPv6 in brackets, no scheme or credentials; the value is not shown: it may hold a password).");
        }
        if (options.Prefetch is < 1 or > ushort.MaxValue)
            errors.Add($"{RabbitMqOptions.SectionName}:Prefetch is {options.Prefetch}; allowed 1..65535 (messages).");
        if (!Enum.IsDefined(options.QueueType))
            errors.Add($"{RabbitMqOptions.SectionName}:QueueType is '{options.QueueType}'; allowed values: {string.Join(", ", Enum.GetNames<RabbitMqQueueType>())}.");
        if (options.PublishTimeoutMs is < 1 or > 600_000)
            errors.Add($"{RabbitMqOptions.SectionName}:PublishTimeoutMs is {options.PublishTimeoutMs}; allowed 1..600000 (ms).");
        if (options.MaxOutstandingConfirms is < 1 or > ushort.MaxValue)
            errors.Add($"{RabbitMqOptions.SectionName}:MaxOutstandingConfirms is {options.MaxOutstandingConfirms}; allowed 1..65535 (messages).");
        if (options.ConcurrentMessageLimit is < 1 or > 256)
            errors.Add($"{RabbitMqOptions.SectionName}:ConcurrentMessageLimit is {options.ConcurrentMessageLimit}; allowed 1..256 (messages).");
        if (options.ShutdownGraceMs is < 0 or > 600_000)
            errors.Add($"{RabbitMqOptions.SectionName}:ShutdownGraceMs is {options.ShutdownGraceMs}; allowed 0..600000 (ms).");
        if (options.RecoveryIntervalMs is < 100 or > 600_000)
            errors.Add($"{RabbitMqOptions.SectionName}:RecoveryIntervalMs is {options.RecoveryIntervalMs}; allowed 100..600000 (ms).");
        if (options.Tls.CertificatePath is { Length: > 0 } path && !File.Exists(path))
            errors.Add($"{RabbitMqOptions.SectionName}:Tls:CertificatePath '{path}' does not exist.");
        if (options.Tls.CaCertificatePath is { Length: > 0 } caPath && !File.Exists(caPath))
            errors.Add($"{RabbitMqOptions.SectionName}:Tls:CaCertificatePath '{caPath}' does not exist.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
