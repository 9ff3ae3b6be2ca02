namespace OrderService;

/// <summary>The command line, after parsing.</summary>
public sealed record RunSettings(int Orders, string? Transport, string? Database, FileInfo? ReportJson, TimeSpan Timeout, bool Otel = false);
