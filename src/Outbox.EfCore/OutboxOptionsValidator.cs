using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>Checks <see cref="OutboxOptions"/> at start-up; each error names its configuration key.</summary>
internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    private const long MaxRetentionMs = 365L * 24 * 3600 * 1000;

    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new List<string>();
        Check(errors, nameof(OutboxOptions.BatchSize), options.BatchSize, 1, 10_000, "count");
        Check(errors, nameof(OutboxOptions.PollIntervalMs), options.PollIntervalMs, 1, 3_600_000, "ms");
        Check(errors, nameof(OutboxOptions.MaxAttempts), options.MaxAttempts, 1, 1_000, "count");
        Check(errors, nameof(OutboxOptions.MaxBackoffMs), options.MaxBackoffMs, 1, 3_600_000, "ms");
        Check(errors, nameof(OutboxOptions.LeaseMs), options.LeaseMs, 1_000, 3_600_000, "ms");
        Check(errors, nameof(OutboxOptions.RetentionIntervalMs), options.RetentionIntervalMs, 1_000, 86_400_000, "ms");
        Check(errors, nameof(OutboxOptions.RetentionBatchSize), options.RetentionBatchSize, 1, 100_000, "count");
        if (options.SentRetentionMs != 0) Check(errors, nameof(OutboxOptions.SentRetentionMs), options.SentRetentionMs, 1_000, MaxRetentionMs, "ms, or 0 to keep");
        if (options.InboxRetentionMs != 0) Check(errors, nameof(OutboxOptions.InboxRetentionMs), options.InboxRetentionMs, 1_000, MaxRetentionMs, "ms, or 0 to keep");
        var health = options.Health;
        Check(errors, "Health:PendingAgeDegradedMs", health.PendingAgeDegradedMs, 1_000, 86_400_000, "ms");
        Check(errors, "Health:PendingAgeUnhealthyMs", health.PendingAgeUnhealthyMs, health.PendingAgeDegradedMs, 604_800_000, "ms, at least Health:PendingAgeDegradedMs");
        Check(errors, "Health:PendingCountDegraded", health.PendingCountDegraded, 1, 1_000_000_000, "count");
        Check(errors, "Health:FailedRowsDegraded", health.FailedRowsDegraded, 0, 1_000_000_000, "count, 0 = never");
        if (!Enum.IsDefined(options.Ordering))
            errors.Add($"{OutboxOptions.SectionName}:{nameof(OutboxOptions.Ordering)} is {options.Ordering}; allowed {string.Join(", ", Enum.GetNames<OutboxOrdering>())}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string key, long value, long min, long max, string unit)
    {
        if (value < min || value > max)
            errors.Add($"{OutboxOptions.SectionName}:{key} is {value}; allowed {min}..{max} ({unit}).");
    }
}
