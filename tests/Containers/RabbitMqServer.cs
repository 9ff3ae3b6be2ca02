using System.Diagnostics;
using Testcontainers.RabbitMq;

namespace Messaging.Tests.Containers;

/// <summary>
/// The RabbitMQ broker of one test fixture, chosen in this order: the server <c>MESSAGING_RABBITMQ</c> names (fault
/// injection through rabbitmqctl on the node <c>MESSAGING_RABBITMQ_NODE</c> names, if any); else a fresh container of
/// <see cref="Image"/> (Testcontainers; rabbitmqctl through docker exec); else the local node on 127.0.0.1:5672, with one
/// line on standard error saying so. Tests that stop the broker or close its connections take theirs from
/// <see cref="StartPrivateAsync"/> instead: never one that other test assemblies use.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    /// <summary>Built by eng/docker.sh from Debian's rabbitmq-server 3.10.</summary>
    public const string Image = "local/rabbitmq:3.10";
    private const string LocalUri = "amqp://guest:guest@127.0.0.1:5672/";
    private const string LocalCtl = "/usr/sbin/rabbitmqctl";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string? _node;

    private RabbitMqServer(string uri, RabbitMqContainer? container, string? node, string? whyNoControl)
    {
        Uri = uri;
        Container = container;
        _node = node;
        WhyNoControl = whyNoControl;
    }

    /// <summary>amqp URI with credentials, reached through loopback.</summary>
    public string Uri { get; }

    /// <summary>The container, when the broker runs in one.</summary>
    public RabbitMqContainer? Container { get; }

    /// <summary>True when rabbitmqctl reaches this broker (container, local node, or a named node).</summary>
    public bool CanControl => WhyNoControl is null;

    /// <summary>Why rabbitmqctl cannot reach this broker, and what would make it; null when it can.</summary>
    public string? WhyNoControl { get; }

    /// <summary>Starts (or finds) the broker for one fixture; <paramref name="customize"/> adds to a container's recipe.</summary>
    public static async Task<RabbitMqServer> StartAsync(Func<RabbitMqBuilder, RabbitMqBuilder>? customize = null)
    {
        var node = Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_NODE") is { Length: > 0 } n ? n : null;
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } external)
            return new RabbitMqServer(external, null, node, node is not null ? null
                : "needs rabbitmqctl or Docker: set MESSAGING_RABBITMQ_NODE to the node of the broker MESSAGING_RABBITMQ names (eng/rabbitmq-test-node.sh prints both)");
        if (DockerEngine.Unusable(Image) is { } why)
        {
            DockerEngine.Announce($"[tests] RabbitMQ: no container ({why}); using the local node on 127.0.0.1:5672");
            return new RabbitMqServer(LocalUri, null, null, File.Exists(LocalCtl) ? null
                : $"needs rabbitmqctl or Docker: {why}, and {LocalCtl} is missing (eng/rabbitmq.sh installs RabbitMQ)");
        }
        var builder = new RabbitMqBuilder(Image) // its default user, not guest: guest may log in only from the container's own loopback
            .WithLabel(DockerEngine.Label, "true").WithCreateParameterModifier(DockerEngine.LoopbackPorts);
        var container = (customize?.Invoke(builder) ?? builder).Build();
        await container.StartAsync();
        return new RabbitMqServer(container.GetConnectionString(), container, null, whyNoControl: null);
    }

    /// <summary>
    /// A broker for tests that stop it or close its connections, which no other test assembly uses (they run at the same
    /// time under <c>dotnet test Messaging.sln</c>): the server <c>MESSAGING_RABBITMQ_FAULTS</c> names (rabbitmqctl on the
    /// node <c>MESSAGING_RABBITMQ_FAULTS_NODE</c> names; <c>eng/rabbitmq-test-node.sh faults</c> starts one and prints
    /// both), else a fresh container. Null, with the reason, when there is neither: the broker <c>MESSAGING_RABBITMQ</c>
    /// names and the local node are shared.
    /// </summary>
    public static async Task<(RabbitMqServer? Server, string? WhyNot)> StartPrivateAsync()
    {
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_FAULTS") is { Length: > 0 } uri)
        {
            var node = Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_FAULTS_NODE") is { Length: > 0 } n ? n : null;
            return (new RabbitMqServer(uri, null, node, node is not null ? null
                : "needs rabbitmqctl: set MESSAGING_RABBITMQ_FAULTS_NODE to the node of the broker MESSAGING_RABBITMQ_FAULTS names (eng/rabbitmq-test-node.sh faults prints both)"), null);
        }
        const string Remedy = "set MESSAGING_RABBITMQ_FAULTS and MESSAGING_RABBITMQ_FAULTS_NODE to a node of their own (eng/rabbitmq-test-node.sh faults starts one and prints both)";
        if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 })
            return (null, $"needs a broker no other test assembly uses (the test stops it or closes its connections), not the one MESSAGING_RABBITMQ names: {Remedy}, or unset MESSAGING_RABBITMQ where Docker runs");
        if (DockerEngine.Unusable(Image) is { } why)
            return (null, $"needs Docker or a broker no other test assembly uses (the test stops it or closes its connections), not the shared local node: {why}; {Remedy}");
        return (await StartAsync(), null);
    }

    /// <summary>Runs rabbitmqctl with <paramref name="arguments"/> against this broker and returns its output.</summary>
    /// <exception cref="InvalidOperationException">rabbitmqctl failed, or cannot reach this broker.</exception>
    /// <exception cref="TimeoutException">It did not finish within 60 s.</exception>
    public async Task<string> CtlAsync(params string[] arguments)
    {
        if (WhyNoControl is { } why) throw new InvalidOperationException($"rabbitmqctl cannot reach this broker: {why}");
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
