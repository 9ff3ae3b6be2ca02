using Messaging.Configuration;
using Messaging.Transport;
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
        var errors = new OptionsErrors(RabbitMqOptions.SectionName);
        errors.Require(RabbitMqUri.TryParse(options.Uri, out _), "Uri", "is not an absolute amqp:// or amqps:// URI (the value is not shown: it may hold a password).");
        for (var i = 0; i < options.Hosts.Length; i++)
            errors.Require(RabbitMqClusterNodes.TryParse(options.Hosts[i], out _, out _), $"Hosts:{i}",
                "is not host or host:port (port 1..65535, IPv6 in brackets, no scheme or credentials; the value is not shown: it may hold a password).");
        errors.Range("Prefetch", options.Prefetch, 1, ushort.MaxValue, "messages");
        errors.Defined("QueueType", options.QueueType);
        errors.Range("PublishTimeoutMs", options.PublishTimeoutMs, 1, 600_000, "ms");
        errors.Range("MaxOutstandingConfirms", options.MaxOutstandingConfirms, 1, ushort.MaxValue, "messages");
        errors.Range("ConcurrentMessageLimit", options.ConcurrentMessageLimit, 1, 256, "messages");
        errors.Range("ShutdownGraceMs", options.ShutdownGraceMs, 0, 600_000, "ms");
        errors.Range("RecoveryIntervalMs", options.RecoveryIntervalMs, 100, 600_000, "ms");
        errors.Require(options.Tls.CertificatePath is not { Length: > 0 } path || File.Exists(path), "Tls:CertificatePath", $"'{options.Tls.CertificatePath}' does not exist.");
        errors.Require(options.Tls.CaCertificatePath is not { Length: > 0 } caPath || File.Exists(caPath), "Tls:CaCertificatePath", $"'{options.Tls.CaCertificatePath}' does not exist.");
        return errors.Result;
    }
}
