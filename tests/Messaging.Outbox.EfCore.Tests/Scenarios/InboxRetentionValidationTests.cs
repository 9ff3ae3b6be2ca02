using Messaging.Configuration;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>An inbox retention shorter than the time a handled message can still come again is refused at start-up, naming
/// the keys that make up that time; the default is safe.</summary>
public sealed class InboxRetentionValidationTests
{
    private static ValidateOptionsResult Validate(long inboxRetentionMs, Action<MessagingOptions>? messaging = null)
    {
        var options = new MessagingOptions();
        messaging?.Invoke(options);
        return new OutboxOptionsValidator(Options.Create(options)).Validate(null, new OutboxOptions { InboxRetentionMs = inboxRetentionMs });
    }

    [Fact]
    public void The_default_of_30_days_and_0_to_keep_forever_are_accepted()
    {
        Assert.Equal(30L * 24 * 3600 * 1000, new OutboxOptions().InboxRetentionMs);
        Assert.True(Validate(new OutboxOptions().InboxRetentionMs).Succeeded);
        Assert.True(Validate(0).Succeeded);
    }

    [Fact]
    public void Less_than_an_hour_is_refused_even_with_quick_retries()
    {
        var result = Validate(600_000, m => (m.HandlerTimeoutMs, m.Retry.MaxDelayMs) = (1_000, 100));
        Assert.False(result.Succeeded);
        Assert.Contains("Messaging:Outbox:InboxRetentionMs is 600000; allowed 3600000..", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retention_shorter_than_the_retry_window_is_refused_naming_its_keys()
    {
        // 10 deliveries x (3 attempts x (30 s timeout + 5 s backoff) + 2 h of delayed retries + 30 s lease) = about 21 h.
        var result = Validate(12L * 3600 * 1000, m => m.Retry.DelayedRetryDelaysMs = [3_600_000, 3_600_000]);
        Assert.False(result.Succeeded);
        Assert.Contains("allowed 73350000..", result.FailureMessage, StringComparison.Ordinal);
        foreach (var key in new[] { "Messaging:Retry:MaxDeliveries 10", "Messaging:Retry:MaxAttempts 3", "Messaging:HandlerTimeoutMs 30000",
            "Messaging:Retry:MaxDelayMs 5000", "Messaging:Retry:DelayedRetryDelaysMs 7200000", "Messaging:Outbox:LeaseMs 30000" })
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(73_350_000, m => m.Retry.DelayedRetryDelaysMs = [3_600_000, 3_600_000]).Succeeded);
    }
}
