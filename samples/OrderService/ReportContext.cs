namespace OrderService;

/// <summary>What the report needs besides the database and the statistics.</summary>
public sealed record ReportContext(string Transport, string Database, string DataSource, int DuplicatesPublished, TimeSpan Elapsed, bool Finished);
