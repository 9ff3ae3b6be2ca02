using Messaging.Configuration;
using Messaging.Transport;
using Messaging.Hosting;
using Microsoft.Extensions.Options;

namespace Messaging.Kafka;

/// <summary>Validates <see cref="KafkaOptions"/>, only when the host uses Kafka (<c>Messaging:Transport</c>, <c>Messaging:ConsumeFrom</c> or a route).</summary>
internal sealed class KafkaOptionsValidator(TransportUsage usage) : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        if (!usage.IsUsed(KafkaTransport.TransportName))
            return ValidateOptionsResult.Skip;
        var errors = new OptionsErrors(KafkaOptions.SectionName);
        errors.Require(!string.IsNullOrWhiteSpace(options.BootstrapServers), "BootstrapServers", "is required: a comma-separated host:port list of brokers.");
        var acks = KafkaClientConfig.ParseAcks(options.Acks);
        errors.Require(acks is not null, "Acks", $"is '{options.Acks}'; allowed values: all, 1, 0.");
        errors.Require(acks is null or Confluent.Kafka.Acks.All || options.AllowWeakerDurability, "Acks",
            $"is '{options.Acks}', which can lose confirmed messages when a broker fails; use 'all', or set {KafkaOptions.SectionName}:AllowWeakerDurability = true to accept it.");
        errors.Require(options.EnableIdempotence || options.AllowWeakerDurability, "EnableIdempotence",
            $"is false, which lets producer retries duplicate and reorder messages; use true, or set {KafkaOptions.SectionName}:AllowWeakerDurability = true to accept it.");
        errors.Range("MessageTimeoutMs", options.MessageTimeoutMs, 1_000, 900_000, "ms");
        errors.Range("SessionTimeoutMs", options.SessionTimeoutMs, 1_000, 3_600_000, "ms");
        errors.Range("MaxPollIntervalMs", options.MaxPollIntervalMs, options.SessionTimeoutMs, 86_400_000, "ms, at least SessionTimeoutMs");
        errors.Require(!string.IsNullOrWhiteSpace(options.DeadLetterTopicSuffix), "DeadLetterTopicSuffix", "must not be empty (default '.dlq').");
        errors.Range("StartupTimeoutMs", options.StartupTimeoutMs, 1_000, 600_000, "ms");
        errors.Range("MaxConcurrency", options.MaxConcurrency, 1, 1024, "records");
        errors.Range("MaxBufferedPerPartition", options.MaxBufferedPerPartition, 1, 100_000, "records");
        errors.Defined("OrderingMode", options.OrderingMode);
        errors.Defined("PartitionAssignmentStrategy", options.PartitionAssignmentStrategy);
        errors.Defined("AutoOffsetReset", options.AutoOffsetReset);
        errors.Range("RevokeDrainTimeoutMs", options.RevokeDrainTimeoutMs, 0, 3_600_000, "ms");
        errors.Range("NoPartitionsDegradedMs", options.NoPartitionsDegradedMs, 1_000, 86_400_000, "ms");
        errors.Range("NoProgressUnhealthyMs", options.NoProgressUnhealthyMs, 1_000, 86_400_000, "ms");
        errors.Range("AutoCommitIntervalMs", options.AutoCommitIntervalMs, 100, 600_000, "ms");
        return errors.Result;
    }
}
