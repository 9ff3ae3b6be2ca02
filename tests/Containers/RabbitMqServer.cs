using System.Diagnostics;
using Testcontainers.RabbitMq;

namespace Messaging.Tests.Containers;

/// <summary>
/// The RabbitMQ broker of one test fixture, chosen in this order: the server <c>MESSAGING_RABBITMQ</c> names (fault
/// injection through rabbitmqctl on the node <c>MESSAGING_RABBITMQ_NODE</c> names, if any); else a fresh container of
/// <see cref="Image"/> (Testcontainers; rabbitmqctl through docker exec); else the local node on 127.0.0.1:5672, with one
/// line on standard error saying so.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    /// <summary>Built by eng/docker.sh from Debian's rabbitmq-server 3.10.</summary>
    public const string Image = "local/rabbitmq:3.10";
    private const string LocalUri = "amqp://guest:guest@127.0.0.1:5672/";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string? _node;

    private RabbitMqServer(string uri, RabbitMqContainer? container, string? node, bool ctlReachesIt)
    {
        Uri = uri;
        Container = container;
        _node = node;
        CanControl = container is not null || (ctlReachesIt && File.Exists("/usr/sbin/rabbitmqctl"));
    }

    /// <summary>amqp URI with credentials, reached through loopback.</summary>
    public string Uri { get; }

    /// <summary>The container, when the broker runs in one.</summary>
    public RabbitMqContainer? Container { get; }

    /// <summary>True when rabbitmqctl reaches this broker (container, local node, or a named node).</summary>
    public bool CanControl { get; }

    /// <summary>Starts (or finds) the broker for one fixture; <paramref name="customize"/> adds to a container's recipe.</summary>
    public static async Task<RabbitMqServer> StartAsync(Func<RabbitMqBuilder, RabbitMqBuilder>? customize = null)
    {
        var node = Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_NODE") is { Length: > 0 } n ? n : null;
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } external)
            return new RabbitMqServer(external, null, node, ctlReachesIt: node is not null);
        if (DockerEngine.Unusable(Image) is { } why)
        {
            DockerEngine.Announce($"[tests] RabbitMQ: no container ({why}); using the local node on 127.0.0.1:5672");
            return new RabbitMqServer(LocalUri, null, null, ctlReachesIt: true);
        }
        var builder = new RabbitMqBuilder(Image) // its default user, not guest: guest may log in only from the container's own loopback
            .WithLabel(DockerEngine.Label, "true").WithCreateParameterModifier(DockerEngine.LoopbackPorts);
        var container = (customize?.Invoke(builder) ?? builder).Build();
        await container.StartAsync();
        return new RabbitMqServer(container.GetConnectionString(), container, null, ctlReachesIt: true);
    }

    /// <summary>Runs rabbitmqctl with <paramref name="arguments"/> against this broker and returns its output.</summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl failed, or cannot reach this broker.</exception>
    /// <exception cref="TimeoutException">It did not finish within 60 s.</exception>
    public async Task<string> CtlAsync(params string[] arguments)
    {
        if (!CanControl) throw new InvalidOperationException("rabbitmqctl cannot reach this broker (an external server without MESSAGING_RABBITMQ_NODE).");
        if (Container is { } container)
        {
            using var timeout = new CancellationTokenSource(CommandTimeout);
            var result = await container.ExecAsync(["rabbitmqctl", .. arguments], timeout.Token);
            if (result.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {string.Join(" ", arguments)} failed in the container: {result.Stdout} {result.Stderr}");
            return result.Stdout;
        }
        return await LocalCtlAsync(arguments);
    }

    private async Task<string> LocalCtlAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (_node is { } node) { start.ArgumentList.Add("-n"); start.ArgumentList.Add(node); }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {string.Join(" ", arguments)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {string.Join(" ", arguments.Select(a => $"[{a}]"))} failed: {await output} {await error}");
        return await output;
    }

    /// <summary>Removes the container, if this broker ran in one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Container is not null) await Container.DisposeAsync();
    }
}
