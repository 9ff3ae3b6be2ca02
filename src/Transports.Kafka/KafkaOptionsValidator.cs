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
        ValidateClientProperties(options, errors);
        return errors.Result;
    }

    /// <summary>Refuses the properties the library sets itself, then lets librdkafka judge the rest: it checks names, values
    /// and their combinations (a SASL mechanism without credentials, a CA file that is not there) when a client is made, so
    /// one is made here, without servers to connect to, and disposed.</summary>
    private static void ValidateClientProperties(KafkaOptions options, OptionsErrors errors)
    {
        var owned = false;
        foreach (var name in options.ClientProperties.Keys)
        {
            if (!KafkaClientConfig.OwnedProperties.TryGetValue(name, out var ownKey)) continue;
            owned = true;
            errors.Require(false, "ClientProperties:" + name, ownKey.Length > 0
                ? $"is set by the library from {KafkaOptions.SectionName}:{ownKey}; set that key instead."
                : "is set by the library for its delivery guarantees and cannot be changed.");
        }
        if (owned || options.ClientProperties.Count == 0) return;
        try
        {
            using var probe = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, Confluent.Kafka.Null>(options.ClientProperties)
                .SetLogHandler((_, _) => { }).Build();
        }
#pragma warning disable CA1031 // librdkafka's refusal, whatever its type, becomes the start-up error
        catch (Exception ex)
#pragma warning restore CA1031
        {
            errors.Require(false, "ClientProperties", $"were refused by librdkafka: {ex.Message}");
        }
    }
}
