namespace Messaging.Hosting;

/// <summary>How a configuration that can never work ends the host: by an exception from <c>StartAsync</c> (the default,
/// which the generic host logs with its stack trace and rethrows), or, under
/// <see cref="MessagingHostExtensions.RunMessagingAsync"/>, by one log line, a stopped application and an exit code.</summary>
internal sealed class FatalStartup
{
    /// <summary>Set by <see cref="MessagingHostExtensions.RunMessagingAsync"/> before the host starts.</summary>
    public volatile bool ExitInsteadOfThrow;

    /// <summary>The exit code the failure asked for; 0 when none happened.</summary>
    public int ExitCode { get; private set; }

    /// <summary>Records a fatal failure with its exit code; the caller logs it and stops the application.</summary>
    public void Fail(int exitCode)
    {
        if (ExitCode == 0) ExitCode = exitCode;
        Environment.ExitCode = ExitCode;
    }
}
