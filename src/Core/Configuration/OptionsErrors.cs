using Microsoft.Extensions.Options;

namespace Messaging.Configuration;

/// <summary>Collects the validation errors of one configuration section; every message names the full key, the value
/// found and what is allowed, so start-up says exactly what to fix. Shared by every package's options validator.</summary>
/// <param name="section">The section path, for example <c>Messaging:RabbitMq</c>.</param>
internal sealed class OptionsErrors(string section)
{
    private readonly List<string> _errors = [];

    /// <summary>Fails unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>.</summary>
    public void Range(string key, long value, long min, long max, string unit)
    {
        if (value < min || value > max) _errors.Add($"{section}:{key} is {value}; allowed {min}..{max} ({unit}).");
    }

    /// <summary>Fails unless <paramref name="value"/> is a named value of its enum.</summary>
    public void Defined<TEnum>(string key, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) _errors.Add($"{section}:{key} is '{value}'; allowed values: {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    /// <summary>Fails with <c>&lt;section&gt;:&lt;key&gt; &lt;problem&gt;</c> unless <paramref name="ok"/>.</summary>
    public void Require(bool ok, string key, string problem)
    {
        if (!ok) _errors.Add($"{section}:{key} {problem}");
    }

    /// <summary>Success, or failure with every message collected.</summary>
    public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
