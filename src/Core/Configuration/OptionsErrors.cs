using Microsoft.Extensions.Options;

namespace Messaging.Configuration;

/// <summary>Collects the validation errors of one configuration section; every message names the full key, the value
/// found and what is allowed, so start-up says exactly what to fix. Shared by every package's options validator.</summary>
/// <param name="section">The section path, for example <c>Messaging:RabbitMq</c>.</param>
public sealed class OptionsErrors(string section)
{
    private readonly List<string> _errors = [];

    /// <summary>Fails unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/>.</summary>
    /// <param name="key">The key below the section, for example <c>Prefetch</c>.</param>
    /// <param name="value">The value found.</param>
    /// <param name="min">The smallest allowed value.</param>
    /// <param name="max">The largest allowed value.</param>
    /// <param name="unit">The unit the message names: <c>ms</c>, <c>bytes</c>, <c>count</c>.</param>
    public void Range(string key, long value, long min, long max, string unit)
    {
        if (value < min || value > max) _errors.Add($"{section}:{key} is {value}; allowed {min}..{max} ({unit}).");
    }

    /// <summary>Fails unless <paramref name="value"/> is a named value of its enum.</summary>
    /// <typeparam name="TEnum">The option's enum.</typeparam>
    /// <param name="key">The key below the section.</param>
    /// <param name="value">The value found.</param>
    public void Defined<TEnum>(string key, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) _errors.Add($"{section}:{key} is '{value}'; allowed values: {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    /// <summary>Fails with <c>&lt;section&gt;:&lt;key&gt; &lt;problem&gt;</c> unless <paramref name="ok"/>.</summary>
    /// <param name="ok">The condition that must hold.</param>
    /// <param name="key">The key below the section.</param>
    /// <param name="problem">What is wrong and what is allowed, as the rest of the sentence after the key.</param>
    public void Require(bool ok, string key, string problem)
    {
        if (!ok) _errors.Add($"{section}:{key} {problem}");
    }

    /// <summary>Success, or failure with every message collected.</summary>
    public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
