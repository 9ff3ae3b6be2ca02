namespace Messaging.Cli.Database;

/// <summary>The schema and table names the application gave <c>AddMessagingTables</c>; null for the defaults.</summary>
internal sealed record CliTables(string? Schema = null, string? Outbox = null, string? Inbox = null, string? Redeliveries = null, string? DeadLetters = null,
    string? RedriveJobs = null);
