namespace Messaging.Outbox.Dispatch;

/// <summary>Which rows a claim may take: rows whose <c>transport</c> is one of <see cref="Transports"/> (compared
/// case-insensitively), and rows with a null <c>transport</c> when <see cref="IncludesNull"/> (rows written before every
/// row named its transport; they go through the primary, and only a durable primary takes them). A row of any other
/// transport is never claimed here: its writer meant a transport this host does not use.</summary>
/// <param name="Transports">The transports whose rows are claimed.</param>
/// <param name="IncludesNull">True when rows whose <c>transport</c> is null belong to the claim.</param>
/// <param name="Limit">Most rows claimed; null for <see cref="OutboxOptions.BatchSize"/>.</param>
internal sealed record ClaimScope(IReadOnlyCollection<string> Transports, bool IncludesNull, int? Limit)
{
    /// <summary>True when no row can belong to the claim.</summary>
    public bool IsEmpty => Transports.Count == 0 && !IncludesNull;

    /// <summary>The lower-case names the SQL compares <c>LOWER(transport)</c> with.</summary>
    public IReadOnlyList<string> Names => [.. Transports.Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
}
