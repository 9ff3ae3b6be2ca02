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
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
            errors.Add("Messaging:Kafka:BootstrapServers is required: a comma-separated host:port list of brokers.");
        if (KafkaClientConfig.ParseAcks(options.Acks) is not { } acks)
            errors.Add($"Messaging:Kafka:Acks is '{options.Acks}'; allowed values: all, 1, 0.");
        else if (acks != Confluent.Kafka.Acks.All && !options.AllowWeakerDurability)
            errors.Add($"Messaging:Kafka:Acks is '{options.Acks}', which can lose confirmed messages when a broker fails; use 'all', or set Messaging:Kafka:AllowWeakerDurability = true to accept it.");
        if (!options.EnableIdempotence && !options.AllowWeakerDurability)
            errors.Add("Messaging:Kafka:EnableIdempotence is false, which lets producer retries duplicate and reorder messages; use true, or set Messaging:Kafka:AllowWeakerDurability = true to accept it.");
        if (options.MessageTimeoutMs is < 1_000 or > 900_000)
            errors.Add($"Messaging:Kafka:MessageTimeoutMs is {options.MessageTimeoutMs}; allowed 1000..900000 (ms).");
        if (options.SessionTimeoutMs is < 1_000 or > 3_600_000)
            errors.Add($"Messaging:Kafka:SessionTimeoutMs is {options.SessionTimeoutMs}; allowed 1000..3600000 (ms).");
        if (options.MaxPollIntervalMs < options.SessionTimeoutMs || options.MaxPollIntervalMs > 86_400_000)
            errors.Add($"Messaging:Kafka:MaxPollIntervalMs is {options.MaxPollIntervalMs}; allowed SessionTimeoutMs..86400000 (ms).");
        if (string.IsNullOrWhiteSpace(options.DeadLetterTopicSuffix))
            errors.Add("Messaging:Kafka:DeadLetterTopicSuffix must not be empty (default '.dlq').");
        if (options.StartupTimeoutMs is < 1_000 or > 600_000)
            errors.Add($"Messaging:Kafka:StartupTimeoutMs is {options.StartupTimeoutMs}; allowed 1000..600000 (ms).");
        if (options.MaxConcurrency is < 1 or > 1024)
            errors.Add($"Messaging:Kafka:MaxConcurrency is {options.MaxConcurrency}; allowed 1..1024.");
        if (options.MaxBufferedPerPartition is < 1 or > 100_000)
            errors.Add($"Messaging:Kafka:MaxBufferedPerPartition is {options.MaxBufferedPerPartition}; allowed 1..100000.");
        if (!Enum.IsDefined(options.CommitMode))
            errors.Add($"Messaging:Kafka:CommitMode is {options.CommitMode}; allowed PartitionOrder, KeyOrder.");
        if (!Enum.IsDefined(options.PartitionAssignmentStrategy))
            errors.Add($"Messaging:Kafka:PartitionAssignmentStrategy is {options.PartitionAssignmentStrategy}; allowed CooperativeSticky, Range, RoundRobin.");
        if (options.RevokeDrainTimeoutMs is < 0 or > 3_600_000)
            errors.Add($"Messaging:Kafka:RevokeDrainTimeoutMs is {options.RevokeDrainTimeoutMs}; allowed 0..3600000 (ms).");
        if (options.AutoCommitIntervalMs is < 100 or > 600_000)
            errors.Add($"Messaging:Kafka:AutoCommitIntervalMs is {options.AutoCommitIntervalMs}; allowed 100..600000 (ms).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
