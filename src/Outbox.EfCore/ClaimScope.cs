namespace Messaging.Outbox;

/// <summary>Which transports' rows a claim may take: all but the paused ones, or one row of one paused transport
/// (a probe). Transport names compare case-insensitively; a row with a null <c>transport</c> goes through
/// <see cref="Primary"/>.</summary>
/// <param name="Primary">The primary transport's name.</param>
/// <param name="Excluded">Transports whose rows are not claimed.</param>
/// <param name="Only">When set, only rows of this transport are claimed.</param>
/// <param name="Limit">Most rows claimed; null for <see cref="OutboxOptions.BatchSize"/>.</param>
internal sealed record ClaimScope(string Primary, IReadOnlyCollection<string> Excluded, string? Only, int? Limit)
{
    /// <summary>Every transport's rows, up to the batch size.</summary>
    public static ClaimScope All { get; } = new("", [], null, null);

    /// <summary>Every transport's rows but the paused ones', up to the batch size.</summary>
    public static ClaimScope Except(string primary, IReadOnlyCollection<string> paused) => new(primary, paused, null, null);

    /// <summary>One row of <paramref name="transport"/>, to probe its broker.</summary>
    public static ClaimScope Probe(string primary, string transport) => new(primary, [], transport, 1);

    /// <summary>True when <paramref name="transport"/> is the primary's name.</summary>
    public bool IsPrimary(string transport) => string.Equals(transport, Primary, StringComparison.OrdinalIgnoreCase);

    /// <summary>The lower-case names the SQL compares <c>LOWER(transport)</c> with.</summary>
    public IReadOnlyList<string> Names => Only is { } only ? [only.ToLowerInvariant()] : [.. Excluded.Select(e => e.ToLowerInvariant())];

    /// <summary>True when rows whose <c>transport</c> is null belong to the claim.</summary>
    public bool IncludesNull => Only is { } only ? IsPrimary(only) : !Excluded.Any(IsPrimary);
}
