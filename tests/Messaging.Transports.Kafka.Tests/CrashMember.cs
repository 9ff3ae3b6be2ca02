using System.Diagnostics;

namespace Messaging.Kafka.Tests;

/// <summary>A consumer group member in a child process (tests/Messaging.Kafka.CrashMember) that a test can SIGKILL: the
/// library's real consumer, crashed without drain, commit or leave-group.</summary>
internal sealed class CrashMember : IDisposable
{
    private readonly Process _process;

    private CrashMember(Process process) => _process = process;

    /// <summary>Starts the member; <paramref name="handled"/> gets each record's source once the member handled it.</summary>
    public static CrashMember Start(string bootstrapServers, string group, string topic, string sessionTimeoutMs, Action<string> handled)
    {
        // Built beside this test assembly: .../Messaging.Transports.Kafka.Tests/bin/<config>/<tfm>/ -> the member's folder.
        var dll = Path.Combine(AppContext.BaseDirectory.Replace("Messaging.Transports.Kafka.Tests", "Messaging.Kafka.CrashMember", StringComparison.Ordinal),
            "Messaging.Kafka.CrashMember.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, bootstrapServers, group, topic, sessionTimeoutMs }) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line) handled(line);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CrashMember(process);
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
