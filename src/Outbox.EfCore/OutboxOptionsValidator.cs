using Microsoft.Extensions.Options;

namespace Messaging.Outbox;

/// <summary>Checks <see cref="OutboxOptions"/> at start-up; each error names its configuration key.</summary>
internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new List<string>();
        Check(errors, nameof(OutboxOptions.BatchSize), options.BatchSize, 1, 10_000, "count");
        Check(errors, nameof(OutboxOptions.PollIntervalMs), options.PollIntervalMs, 1, 3_600_000, "ms");
        Check(errors, nameof(OutboxOptions.MaxAttempts), options.MaxAttempts, 1, 1_000, "count");
        Check(errors, nameof(OutboxOptions.MaxBackoffMs), options.MaxBackoffMs, 1, 3_600_000, "ms");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string key, int value, int min, int max, string unit)
    {
        if (value < min || value > max)
            errors.Add($"{OutboxOptions.SectionName}:{key} is {value}; allowed {min}..{max} ({unit}).");
    }
}
