using System.Diagnostics;
using Messaging.Eng.KafkaMock;
using Messaging.FaultHarness.Containers;
using Messaging.FaultHarness.Kafka;

namespace Messaging.FaultHarness;

/// <summary>The faults one run can inject, in round-robin order, for its transport and database.</summary>
internal sealed class Faults(HarnessSettings settings, MockCluster? kafkaMock, int longOutageSeconds, RabbitMqContainers? rabbitContainers = null, IReadOnlyList<string>? only = null)
{
    private int _brokerTurn;

    public IReadOnlyList<string> Kinds { get; } = Only(BuildKinds(settings, kafkaMock, rabbitContainers), only ?? []);

    /// <summary>The long outage of this run's broker (injected once, first), or null when not asked for or not possible.</summary>
    public string? LongOutage { get; } = longOutageSeconds <= 0 ? null
        : BuildKinds(settings, kafkaMock, rabbitContainers).Contains("rabbitmq-restart-app") ? "rabbitmq-long-outage"
        : BuildKinds(settings, kafkaMock, rabbitContainers).Contains("kafka-broker-down-up") ? "kafka-long-outage" : null;

    private static List<string> Only(List<string> kinds, IReadOnlyList<string> only)
    {
        if (only.Count == 0) return kinds;
        var unknown = only.Except(kinds).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--faults names {string.Join(", ", unknown)}, which this run cannot inject; it can: {string.Join(", ", kinds)}.");
        return [.. only];
    }

    private static List<string> BuildKinds(HarnessSettings settings, MockCluster? kafkaMock, RabbitMqContainers? rabbitContainers)
    {
        var kinds = new List<string> { "consumer-sigkill", "dispatcher-sigkill-after-publish", "producer-sigkill" };
        // rabbitmqctl reaches the local node, or the one MESSAGING_RABBITMQ_NODE names (eng/rabbitmq-test-node.sh).
        var localRabbit = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ")) || RabbitNode is not null;
        if (settings.Transport == "rabbitmq" && (rabbitContainers?.Single ?? localRabbit)) kinds.AddRange(["rabbitmq-close-connections", "rabbitmq-restart-app"]);
        if (rabbitContainers is not null) kinds.AddRange(rabbitContainers.FaultKinds);
        if (settings.Transport == "kafka" && kafkaMock is not null) kinds.AddRange(["kafka-broker-down-up", "kafka-produce-errors"]);
        if (settings.Database == "postgres" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_POSTGRES"))) kinds.Add("postgres-restart");
        return kinds;
    }

    private static string? RabbitNode => Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_NODE") is { Length: > 0 } node ? node : null;

    private Task RabbitCtlAsync(params string[] arguments) => rabbitContainers is not null ? rabbitContainers.CtlAsync(arguments) :
        RunAsync("rabbitmqctl", RabbitNode is { } node ? ["-q", "-n", node, .. arguments] : ["-q", .. arguments]);

    /// <summary>Injects a broker or database fault (process faults are the orchestrator's).</summary>
    public async Task InjectAsync(string kind)
    {
        switch (kind)
        {
            case "rabbitmq-close-connections":
                await RabbitCtlAsync("close_all_connections", "fault harness");
                break;
            case "rabbitmq-restart-app":
                await RabbitCtlAsync("stop_app");
                await Task.Delay(2000);
                await RabbitCtlAsync("start_app");
                await RabbitCtlAsync("await_startup");
                break;
            case "kafka-broker-down-up":
                var broker = _brokerTurn++ % 3 + 1;
                kafkaMock!.SetBrokerDown(broker);
                await Task.Delay(3000);
                kafkaMock.SetBrokerUp(broker);
                break;
            case "rabbitmq-long-outage":
                await RabbitCtlAsync("stop_app");
                await Task.Delay(TimeSpan.FromSeconds(longOutageSeconds));
                await RabbitCtlAsync("start_app");
                await RabbitCtlAsync("await_startup");
                break;
            case "kafka-long-outage":
                for (var id = 1; id <= 3; id++) kafkaMock!.SetBrokerDown(id);
                await Task.Delay(TimeSpan.FromSeconds(longOutageSeconds));
                for (var id = 1; id <= 3; id++) kafkaMock!.SetBrokerUp(id);
                break;
            case "kafka-produce-errors":
                MockFaults.ProduceErrors(kafkaMock!, 20);
                break;
            case "postgres-restart":
                var version = Directory.GetDirectories("/etc/postgresql").Select(Path.GetFileName).OrderBy(v => double.Parse(v!, System.Globalization.CultureInfo.InvariantCulture)).Last();
                await RunAsync("pg_ctlcluster", version!, "main", "restart");
                break;
            case var _ when rabbitContainers?.FaultKinds.Contains(kind) == true:
                Console.WriteLine("         " + await rabbitContainers.InjectAsync(kind));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a broker or database fault");
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(file, arguments);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90)); // a stuck broker fails the run, never hangs it
        try { await process.WaitForExitAsync(bound.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within 90 s");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }
}
