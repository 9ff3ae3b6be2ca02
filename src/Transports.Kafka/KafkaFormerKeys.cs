using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Messaging.Kafka;

/// <summary>Configuration keys renamed since an earlier release, still read so a configuration written for it keeps its
/// meaning. The new key wins when both are set.</summary>
internal static class KafkaFormerKeys
{
    /// <summary><c>Messaging:Kafka:CommitMode</c> (earlier builds) is now <c>OrderingMode</c>: it chooses what runs in parallel,
    /// not how offsets are committed.</summary>
    public const string CommitMode = "CommitMode";

    /// <exception cref="OptionsValidationException">The former key holds a value that is not a <see cref="KafkaOrderingMode"/>.</exception>
    public static void Apply(IConfigurationSection section, KafkaOptions options)
    {
        var former = section[CommitMode];
        if (string.IsNullOrEmpty(former) || !string.IsNullOrEmpty(section[nameof(KafkaOptions.OrderingMode)])) return;
        if (!Enum.TryParse<KafkaOrderingMode>(former, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
            throw new OptionsValidationException(Options.DefaultName, typeof(KafkaOptions),
                [$"{section.Path}:{CommitMode} (the former name of {section.Path}:{nameof(KafkaOptions.OrderingMode)}) is '{former}'; allowed values: {string.Join(", ", Enum.GetNames<KafkaOrderingMode>())}."]);
        options.OrderingMode = mode;
    }
}
