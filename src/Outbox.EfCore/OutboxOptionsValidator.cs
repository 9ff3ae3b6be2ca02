using Messaging.Configuration;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>Checks <see cref="OutboxOptions"/> at start-up; each error names its configuration key.</summary>
internal sealed class OutboxOptionsValidator(IOptions<MessagingOptions> messaging) : IValidateOptions<OutboxOptions>
{
    private const long MaxRetentionMs = 365L * 24 * 3600 * 1000;
    private const long MinInboxRetentionMs = 3_600_000;

    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new OptionsErrors(OutboxOptions.SectionName);
        errors.Range(nameof(OutboxOptions.BatchSize), options.BatchSize, 1, 10_000, "count");
        errors.Range(nameof(OutboxOptions.PollIntervalMs), options.PollIntervalMs, 1, 3_600_000, "ms");
        errors.Range(nameof(OutboxOptions.MaxAttempts), options.MaxAttempts, 1, 1_000, "count");
        errors.Range(nameof(OutboxOptions.MaxBackoffMs), options.MaxBackoffMs, 1, 3_600_000, "ms");
        errors.Range(nameof(OutboxOptions.LeaseMs), options.LeaseMs, 1_000, 3_600_000, "ms");
        errors.Range(nameof(OutboxOptions.FlushTimeoutMs), options.FlushTimeoutMs, 0, 600_000, "ms");
        errors.Range(nameof(OutboxOptions.RetentionIntervalMs), options.RetentionIntervalMs, 1_000, 86_400_000, "ms");
        errors.Range(nameof(OutboxOptions.InboxBatchSize), options.InboxBatchSize, 1, 1_000, "count");
        errors.Range(nameof(OutboxOptions.InboxBatchWaitMs), options.InboxBatchWaitMs, 0, 1_000, "ms");
        errors.Range(nameof(OutboxOptions.InboxConcurrentBatches), options.InboxConcurrentBatches, 1, 64, "count");
        errors.Range(nameof(OutboxOptions.RetentionBatchSize), options.RetentionBatchSize, 1, 100_000, "count");
        if (options.SentRetentionMs != 0) errors.Range(nameof(OutboxOptions.SentRetentionMs), options.SentRetentionMs, 1_000, MaxRetentionMs, "ms, or 0 to keep");
        if (options.InboxRetentionMs != 0) ValidateInboxRetention(errors, options);
        var health = options.Health;
        errors.Range("Health:PendingAgeDegradedMs", health.PendingAgeDegradedMs, 1_000, 86_400_000, "ms");
        errors.Range("Health:PendingAgeUnhealthyMs", health.PendingAgeUnhealthyMs, health.PendingAgeDegradedMs, 604_800_000, "ms, at least Health:PendingAgeDegradedMs");
        errors.Range("Health:PendingCountDegraded", health.PendingCountDegraded, 1, 1_000_000_000, "count");
        errors.Range("Health:FailedRowsDegraded", health.FailedRowsDegraded, 0, 1_000_000_000, "count, 0 = never");
        errors.Defined(nameof(OutboxOptions.Ordering), options.Ordering);
        return errors.Result;
    }

    /// <summary>An inbox row deleted while its message can still come again lets that copy run the handler a second time.
    /// The window a configuration allows: each of up to <c>MaxDeliveries</c> deliveries may run every attempt to its
    /// timeout with the longest backoff, then wait out every delayed retry, and an outbox may send it again once its lease
    /// ran out. What no setting bounds (a queue that holds a message for days, an offset reset) is why the default is 30
    /// days and the floor 1 hour.</summary>
    private void ValidateInboxRetention(OptionsErrors errors, OutboxOptions options)
    {
        var m = messaging.Value;
        var retry = m.Retry;
        long perDelivery = (long)retry.MaxAttempts * ((long)m.HandlerTimeoutMs + retry.MaxDelayMs) + retry.DelayedRetryDelaysMs.Sum(d => (long)d) + options.LeaseMs;
        var window = Math.Max(0, retry.MaxDeliveries) * perDelivery;
        var least = Math.Max(MinInboxRetentionMs, window);
        errors.Range(nameof(OutboxOptions.InboxRetentionMs), options.InboxRetentionMs, least, Math.Max(least, MaxRetentionMs),
            $"ms, or 0 to keep rows forever; at least 1 hour and at least the {window} ms in which a handled message can still come again: "
            + $"Messaging:Retry:MaxDeliveries {retry.MaxDeliveries} x (Messaging:Retry:MaxAttempts {retry.MaxAttempts} x (Messaging:HandlerTimeoutMs "
            + $"{m.HandlerTimeoutMs} + Messaging:Retry:MaxDelayMs {retry.MaxDelayMs}) + the sum of Messaging:Retry:DelayedRetryDelaysMs "
            + $"{retry.DelayedRetryDelaysMs.Sum(d => (long)d)} + Messaging:Outbox:LeaseMs {options.LeaseMs})");
    }
}
