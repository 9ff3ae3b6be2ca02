using System.Diagnostics;

namespace Messaging.Benchmarks.Harness;

/// <summary>Finds a peer project's program (bench/Peers.*) and builds it in Release when it is missing or older than its sources.</summary>
public static class PeerBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> EnsureAsync(string project, string assembly, TextWriter log, CancellationToken cancellationToken)
    {
        var bench = Path.Combine(RepositoryRoot(), "bench");
        var projectDir = Path.Combine(bench, project);
        var dll = Path.Combine(projectDir, "bin", "Release", "net10.0", assembly + ".dll");
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsStale(dll, projectDir, Path.Combine(bench, "Shared"))) return dll;
            log.WriteLine($"   building bench/{project} (Release)");
            var build = new ProcessStartInfo("dotnet", ["build", projectDir, "-c", "Release", "-v", "q", "-nologo"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(build) ?? throw new InvalidOperationException("could not start dotnet build");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0) throw new InvalidOperationException($"building bench/{project} failed:\n{await output}{await errors}");
            return dll;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static bool IsStale(string dll, params string[] sourceDirs)
    {
        if (!File.Exists(dll)) return true;
        var built = File.GetLastWriteTimeUtc(dll);
        return sourceDirs.SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Messaging.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Messaging.sln not found above the harness; run it from the repository.");
    }
}
