using System.Diagnostics;
using System.Globalization;

namespace Messaging.FaultHarness.Containers;

/// <summary>
/// RabbitMQ in containers for one harness run (<c>--rabbitmq-container single|cluster</c>): one node, or three nodes
/// joined into a cluster, on a docker network the harness creates, each node's AMQP port published on 127.0.0.1 only
/// (a fixed port, so the URI survives restarts). The children get the nodes through MESSAGING_RABBITMQ and
/// <c>Messaging:RabbitMq:Hosts</c>. Faults: SIGKILL of the broker and restart, a 30 s network partition (disconnected
/// from its network), a 30 s freeze (docker pause), and on the cluster the loss of the node that leads the endpoint's
/// quorum queue. Everything is removed when disposed.
/// </summary>
internal sealed class RabbitMqContainers : IAsyncDisposable
{
    public const string Image = "local/rabbitmq:3.10";
    private const string User = "harness";
    private static readonly TimeSpan PartitionLength = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NodeDownLength = TimeSpan.FromSeconds(10);

    private readonly string _network;
    private readonly List<Node> _nodes = [];

    private RabbitMqContainers(string network) => _network = network;

    private sealed record Node(string Name, string Host, int Port)
    {
        public string ErlangNode => "rabbit@" + Host;
    }

    /// <summary>True for one node: the rabbitmqctl faults (close connections, restart the app) run in its container.</summary>
    public bool Single => _nodes.Count == 1;

    /// <summary>rabbitmqctl in the first node's container (docker exec).</summary>
    public Task CtlAsync(params string[] arguments) => Docker.RunAsync(["exec", _nodes[0].Name, "rabbitmqctl", .. arguments]);

    /// <summary>The fault kinds these containers add to the run.</summary>
    public IReadOnlyList<string> FaultKinds => _nodes.Count == 1
        ? ["rabbitmq-container-sigkill", "rabbitmq-partition-30s", "rabbitmq-pause-30s"]
        : ["rabbitmq-cluster-leader-kill"];

    /// <summary>Starts the containers (and joins the cluster) and puts what the children need into <paramref name="environment"/>.</summary>
    public static async Task<RabbitMqContainers> StartAsync(string mode, IDictionary<string, string> environment)
    {
        var count = mode switch { "single" => 1, "cluster" => 3, _ => throw new ArgumentException($"--rabbitmq-container is '{mode}'; allowed values: none, single, cluster.") };
        var run = $"messaging-harness-{Environment.ProcessId}";
        await Docker.RunAsync("network", "create", "--label", Docker.Label, run);
        var containers = new RabbitMqContainers(run);
        try
        {
            for (var i = 1; i <= count; i++)
            {
                var node = new Node($"{run}-rmq{i}", $"rmq{i}", Docker.FreeLoopbackPort());
                await Docker.RunAsync("run", "-d", "--name", node.Name, "--label", Docker.Label, "--network", run, "--hostname", node.Host,
                    "-p", $"127.0.0.1:{node.Port}:5672", "-e", $"RABBITMQ_DEFAULT_USER={User}", "-e", $"RABBITMQ_DEFAULT_PASS={User}", Image);
                containers._nodes.Add(node);
            }
            foreach (var node in containers._nodes) await containers.AwaitStartupAsync(node);
            foreach (var node in containers._nodes.Skip(1))
            {
                await CtlAsync(node, "stop_app");
                await CtlAsync(node, "join_cluster", containers._nodes[0].ErlangNode);
                await CtlAsync(node, "start_app");
            }
            if (count > 1) Console.WriteLine($"rabbitmq cluster, running nodes: {await CtlAsync(containers._nodes[0], "eval", "rabbit_nodes:all_running().")}");
        }
        catch
        {
            await containers.DisposeAsync();
            throw;
        }
        environment["MESSAGING_RABBITMQ"] = $"amqp://{User}:{User}@127.0.0.1:{containers._nodes[0].Port}/";
        for (var i = 0; i < count; i++)
            environment[$"Messaging__RabbitMq__Hosts__{i}"] = $"127.0.0.1:{containers._nodes[i].Port.ToString(CultureInfo.InvariantCulture)}";
        Console.WriteLine($"rabbitmq in containers: {string.Join(", ", containers._nodes.Select(n => $"{n.Name} on 127.0.0.1:{n.Port}"))}");
        return containers;
    }

    /// <summary>Injects one of <see cref="FaultKinds"/> and returns what was done, for the run's log.</summary>
    public async Task<string> InjectAsync(string kind)
    {
        switch (kind)
        {
            case "rabbitmq-container-sigkill":
                await KillAndRestartAsync(_nodes[0], TimeSpan.Zero);
                return $"{_nodes[0].Name} SIGKILLed and started again";
            case "rabbitmq-partition-30s":
                await Docker.RunAsync("network", "disconnect", "--force", _network, _nodes[0].Name);
                try { await Task.Delay(PartitionLength); }
                finally { await Docker.RunAsync("network", "connect", "--alias", _nodes[0].Host, _network, _nodes[0].Name); }
                return $"{_nodes[0].Name} cut off the network for {PartitionLength.TotalSeconds:0} s, then connected again";
            case "rabbitmq-pause-30s":
                // The silent variant: the broker is frozen, connections stay open and nothing answers (no reset, unlike
                // the disconnect, after which Docker's loopback proxy closes the client's connection at once).
                await Docker.RunAsync("pause", _nodes[0].Name);
                try { await Task.Delay(PartitionLength); }
                finally { await Docker.RunAsync("unpause", _nodes[0].Name); }
                return $"{_nodes[0].Name} frozen (docker pause) for {PartitionLength.TotalSeconds:0} s, then unpaused";
            case "rabbitmq-cluster-leader-kill":
                var (leader, members) = await LeaderAsync(HarnessSettings.Endpoint);
                await KillAndRestartAsync(leader, NodeDownLength);
                return $"{leader.Name} ({leader.ErlangNode}, leader of quorum queue {HarnessSettings.Endpoint}, members {members}) SIGKILLed, down {NodeDownLength.TotalSeconds:0} s, started again";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a container fault");
        }
    }

    private async Task KillAndRestartAsync(Node node, TimeSpan down)
    {
        await Docker.RunAsync("kill", "--signal", "KILL", node.Name);
        if (down > TimeSpan.Zero) await Task.Delay(down);
        await Docker.RunAsync("start", node.Name);
        await AwaitStartupAsync(node);
    }

    /// <summary>The node leading the quorum queue and the queue's members, asked of any node that answers.</summary>
    private async Task<(Node Leader, string Members)> LeaderAsync(string queue)
    {
        foreach (var asked in _nodes)
        {
            try
            {
                var listing = await CtlAsync(asked, "list_queues", "name", "leader", "members", "--no-table-headers");
                var fields = listing.Split('\n').Select(l => l.Split('\t')).FirstOrDefault(f => f.Length == 3 && f[0] == queue);
                if (fields is not null && _nodes.FirstOrDefault(n => n.ErlangNode == fields[1].Trim()) is { } node) return (node, fields[2].Trim());
            }
            catch (InvalidOperationException)
            {
                // that node does not answer; ask the next
            }
        }
        throw new InvalidOperationException($"no node names a leader for queue {queue}");
    }

    private async Task AwaitStartupAsync(Node node)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await CtlAsync(node, "await_startup", "--timeout", "60");
                return;
            }
            catch (InvalidOperationException) when (clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(500); // the Erlang node is not registered yet
            }
        }
    }

    private static Task<string> CtlAsync(Node node, params string[] arguments) =>
        Docker.RunAsync(["exec", node.Name, "rabbitmqctl", "-q", .. arguments]);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            try { await Docker.RunAsync("rm", "-f", node.Name); }
            catch (InvalidOperationException) { /* already gone */ }
        }
        try { await Docker.RunAsync("network", "rm", _network); }
        catch (InvalidOperationException) { /* already gone */ }
    }
}
