using System.Diagnostics;
using Docker.DotNet.Models;

namespace Messaging.Tests.Containers;

/// <summary>
/// Whether tests can start their servers in containers here, and the settings that make Testcontainers work on this
/// machine kind (../shared/ENVIRONMENT.md; eng/docker.sh sets the engine up and builds the local images).
/// </summary>
public static class DockerEngine
{
    /// <summary>Label on every container and network the tests create, so eng/docker.sh removes only ours.</summary>
    public const string Label = "messaging.tests";

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, string?> WhyNot = [];
    private static readonly HashSet<string> Announced = [];

    /// <summary>Null when containers of <paramref name="image"/> can start; otherwise why not, in a few words.</summary>
    public static string? Unusable(string image)
    {
        lock (Gate)
        {
            if (!WhyNot.TryGetValue(image, out var why)) WhyNot[image] = why = Probe(image);
            return why;
        }
    }

    private static string? Probe(string image)
    {
        if (Environment.GetEnvironmentVariable("MESSAGING_DOCKER") == "unavailable") return "eng/docker.sh found that Docker cannot run here";
        var (version, status) = Cli("version", "--format", "{{.Server.APIVersion}}");
        if (status != 0 || version.Length == 0) return "no Docker engine answers (run eng/docker.sh)";
        if (Cli("image", "inspect", "--format", "{{.Id}}", image).Status != 0) return $"image {image} is missing (run eng/docker.sh)";
        // What eng/docker.sh exports, for a plain `dotnet test`: Testcontainers 4.16 asks for API 1.44 unless told, the
        // reaper image cannot be pulled, and /.dockerenv would make it hand out the bridge address instead of loopback.
        SetIfUnset("DOCKER_API_VERSION", version);
        SetIfUnset("TESTCONTAINERS_RYUK_DISABLED", "true");
        SetIfUnset("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        return null;
    }

    /// <summary>For <c>WithCreateParameterModifier</c>: every published port on 127.0.0.1 only (the network rule; Docker
    /// would publish on every address).</summary>
    public static void LoopbackPorts(CreateContainerParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var bindings in parameters.HostConfig?.PortBindings?.Values ?? [])
            foreach (var binding in bindings ?? []) binding.HostIP = "127.0.0.1";
    }

    /// <summary>Runs the docker CLI; returns its standard output (trimmed) and exit status. Bounded to 60 s.</summary>
    public static (string Output, int Status) Cli(params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000)) { process.Kill(entireProcessTree: true); return ("", -1); }
            return (output.Result.Trim(), process.ExitCode);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return ("", -1); // no docker CLI
        }
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Where <see cref="Announce"/> also goes: fixtures set it to xUnit's diagnostic messages, which
    /// <c>dotnet test</c> shows (xunit.runner.json: diagnosticMessages), unlike the test host's standard error.</summary>
    public static Action<string>? Reporter { get; set; }

    /// <summary>Says once per process which server the tests use when it is not a container.</summary>
    public static void Announce(string line)
    {
        lock (Gate)
        {
            if (!Announced.Add(line)) return;
        }
        Console.Error.WriteLine(line);
        Reporter?.Invoke(line);
    }

    /// <summary>Makes <see cref="Announce"/> reach <c>dotnet test</c>'s output through xUnit's diagnostic messages.</summary>
    public static void ReportTo(Xunit.Abstractions.IMessageSink sink) =>
        Reporter ??= line => sink.OnMessage(new Xunit.Sdk.DiagnosticMessage(line));
}
