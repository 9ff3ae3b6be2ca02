using Microsoft.Extensions.Options;

namespace Spool;

/// <summary><c>Messaging:Spool</c>: where the spool lives and how often an idle consumer looks.</summary>
public sealed class SpoolOptions
{
    /// <summary><c>Messaging:Spool:Root</c>: the folder that holds bindings and queues; created when missing. Required.</summary>
    public string Root { get; set; } = "";

    /// <summary><c>Messaging:Spool:PollIntervalMs</c>: pause of an idle consumer between looks at its queue folder, ms
    /// (1–10,000; default 20).</summary>
    public int PollIntervalMs { get; set; } = 20;
}

/// <summary>Fails start-up naming the key that is wrong.</summary>
public sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Root)) errors.Add("Messaging:Spool:Root is required: the folder of the spool.");
        if (options.PollIntervalMs is < 1 or > 10_000) errors.Add($"Messaging:Spool:PollIntervalMs must be 1 to 10000 ms; it is {options.PollIntervalMs}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
