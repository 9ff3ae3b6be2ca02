namespace Messaging.FaultHarness;

/// <summary>What every process of one harness run shares (passed to children on their command line).</summary>
public sealed record HarnessSettings(string Transport, string Database, int Messages, string StateDir)
{
    public const string Topic = "fault-harness-work";
    public const string Endpoint = "fault-harness";

    public string ConnectionString => Database == "postgres"
        ? (Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") is { Length: > 0 } pg ? pg : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres")
          + ";Database=fault_harness;Timeout=5;Command Timeout=30"
        : $"Data Source={Path.Combine(StateDir, "harness.db")};Default Timeout=60";

    public string[] ChildArguments(string role) =>
        [role, "--transport", Transport, "--database", Database, "--messages", Messages.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state-dir", StateDir];
}
