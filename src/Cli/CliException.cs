namespace Messaging.Cli;

/// <summary>A failure the operator can act on, printed as one line (<c>messaging: &lt;message&gt;</c>) with exit code 1.
/// The message never holds a password or a connection string.</summary>
internal sealed class CliException(string message) : Exception(message);
