using Testcontainers.PostgreSql;

namespace Messaging.Tests.Containers;

/// <summary>
/// The PostgreSQL server of a test run, as an Npgsql connection string without <c>Database</c>: the one
/// <c>MESSAGING_POSTGRES</c> names; else one container of <see cref="Image"/> for the test process (each fixture makes
/// its own database in it, so fixtures never share tables); else the local server eng/postgres.sh starts, with one line
/// on standard error saying so.
/// </summary>
public static class PostgresServer
{
    /// <summary>Built by eng/docker.sh from Debian's postgresql-15.</summary>
    public const string Image = "local/postgres:15";
    private const string LocalServer = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>The server's connection string; the first call may start the container (a few seconds).</summary>
    public static Task<string> ConnectionStringAsync() => Server.Value;

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") is { Length: > 0 } external) return external;
        if (DockerEngine.Unusable(Image) is { } why)
        {
            DockerEngine.Announce($"[tests] PostgreSQL: no container ({why}); using the local server on 127.0.0.1:5432");
            return LocalServer;
        }
        var container = new PostgreSqlBuilder(Image).WithLabel(DockerEngine.Label, "true")
            .WithCreateParameterModifier(DockerEngine.LoopbackPorts).Build();
        await container.StartAsync();
        // Without the reaper nothing else removes it; eng/docker.sh removes what a killed run leaves.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(20));
        return $"Host=127.0.0.1;Port={container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)};Username=postgres;Password=postgres";
    }
}
