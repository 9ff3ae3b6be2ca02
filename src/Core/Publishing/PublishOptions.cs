namespace Messaging.Publishing;

/// <summary>Per-message publish settings; every property is optional.</summary>
public sealed class PublishOptions
{
    /// <summary>Message id to use instead of a new one (for example when forwarding a message); null for a new id.</summary>
    public string? MessageId { get; init; }

    /// <summary>Partition key overriding the route's key selector; null to use the route's.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>Correlation id; null for none.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Causation id (the message id that caused this one); null for none.</summary>
    public string? CausationId { get; init; }

    /// <summary>Extra application headers; null for none.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
