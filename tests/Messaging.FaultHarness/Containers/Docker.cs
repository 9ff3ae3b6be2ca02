using System.Diagnostics;

namespace Messaging.FaultHarness.Containers;

/// <summary>The docker CLI, bounded: a stuck engine fails the run, never hangs it.</summary>
internal static class Docker
{
    /// <summary>Label on every container and network the harness creates; eng/docker.sh removes leftovers by it.</summary>
    public const string Label = "messaging.tests=true";

    /// <summary>Runs <c>docker</c> with <paramref name="arguments"/>; returns its trimmed standard output.</summary>
    /// <exception cref="InvalidOperationException">docker exited with an error.</exception>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeoutSeconds"/>.</exception>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try { await process.WaitForExitAsync(bound.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"docker {string.Join(' ', start.ArgumentList)} did not finish within {timeoutSeconds} s");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"docker {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {(await error).Trim()}");
        return (await output).Trim();
    }

    public static Task<string> RunAsync(params string[] arguments) => RunAsync((IEnumerable<string>)arguments);

    /// <summary>A free TCP port on 127.0.0.1, to publish a container port on a fixed address that survives its restarts.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
