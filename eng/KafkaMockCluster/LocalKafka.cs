namespace Messaging.Eng.KafkaMock;

/// <summary>
/// Where the local Kafka is, for the sample and the tests (linked source file): <c>MESSAGING_KAFKA</c>, else the
/// mock cluster eng/kafka-mock.sh runs, found through its state directory (<c>MESSAGING_STATE_DIR</c>, default
/// <c>&lt;repo&gt;/.state</c>: kafka.bootstrap, and kafka-mock.pid to ignore the file a killed mock left behind).
/// </summary>
internal static class LocalKafka
{
    /// <summary>Bootstrap servers (comma-separated host:port), or null when neither is there.</summary>
    public static string? BootstrapServers()
    {
        if (Environment.GetEnvironmentVariable("MESSAGING_KAFKA") is { Length: > 0 } external) return external;
        var state = Environment.GetEnvironmentVariable("MESSAGING_STATE_DIR") is { Length: > 0 } dir ? dir
            : RepoRoot() is { } root ? Path.Combine(root, ".state") : null;
        if (state is null) return null;
        var bootstrap = Path.Combine(state, "kafka.bootstrap");
        var pidFile = Path.Combine(state, "kafka-mock.pid");
        if (!File.Exists(bootstrap) || !File.Exists(pidFile)) return null;
        if (!Directory.Exists(Path.Combine("/proc", File.ReadAllText(pidFile).Trim()))) return null;
        var servers = File.ReadAllText(bootstrap).Trim();
        return servers.Length > 0 ? servers : null;
    }

    /// <summary>The directory holding Messaging.sln, above the working directory or the program's own.</summary>
    private static string? RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Messaging.sln"))) return dir.FullName;
        return null;
    }
}
