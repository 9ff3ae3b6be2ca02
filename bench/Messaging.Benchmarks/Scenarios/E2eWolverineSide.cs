using System.Globalization;
using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Harness;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// Wolverine's side of e2e.orders and e2e.latency: bench/Peers.Wolverine as a child process that keeps its host across rounds. The
/// harness owns the names, creates the empty database and cleans up; the peer places, waits and measures with the
/// same shared code as ours (bench/Shared) and reports its own allocations.
/// </summary>
public sealed class E2eWolverineSide(string broker, string flow = E2eFlows.Orders) : Contender(Wolverine), IOpenLoopContender
{
    private const string Project = "Peers.Wolverine";
    private const string Assembly = "Messaging.Benchmarks.Peers.Wolverine";
    private readonly E2eNames _names = E2eNames.For(Wolverine, broker, "postgres", flow);
    private readonly RabbitAdmin _admin = new();
    private PeerProcess? _peer;

    private bool IsKafka => broker == "kafka";

    public static Task<string> LocateAsync(TextWriter log, CancellationToken ct) => PeerBuild.EnsureAsync(Project, Assembly, log, ct);

    public override async Task SetupAsync(CancellationToken ct)
    {
        var dll = await LocateAsync(Console.Out, ct);
        if (!IsKafka) await DeleteTopologyAsync(ct);
        await PostgresAdmin.RecreateAsync(_names.Database, ct);
        List<string> arguments =
        [
            "--broker", broker, "--postgres", BenchEnvironment.Postgres(_names.Database), "--rabbitmq", BenchEnvironment.RabbitUri,
            "--destination", _names.Destination, "--queue", _names.Queue, "--keys", E2eFlow.Keys.ToString(CultureInfo.InvariantCulture),
            "--concurrency", E2eOrders.Concurrency.ToString(CultureInfo.InvariantCulture), "--prefetch", E2eOrders.Prefetch.ToString(CultureInfo.InvariantCulture),
        ];
        if (IsKafka) arguments.AddRange(["--kafka", BenchEnvironment.Kafka]);
        _peer = PeerProcess.Start("wolverine", dll, arguments, Console.Out);
        await _peer.SendAsync(new PeerCommand("setup"), ct);
    }

    public override Task BeforeRunAsync(int messages, CancellationToken ct) => _peer!.SendAsync(new PeerCommand("prepare"), ct);

    public override Task<RunSample> RunAsync(int messages, CancellationToken ct) => RunAsync(new PeerCommand("run", messages), ct);

    public Task<RunSample> RunOfferedAsync(int orders, double perSecond, CancellationToken ct) => RunAsync(new PeerCommand("run", orders, perSecond), ct);

    private async Task<RunSample> RunAsync(PeerCommand command, CancellationToken ct)
    {
        var reply = await _peer!.SendAsync(command, ct);
        return new RunSample(reply.Messages, TimeSpan.FromMilliseconds(reply.ElapsedMs), reply.LatenciesMs)
        {
            Extra = reply.Extra,
            AllocatedBytes = reply.AllocatedBytes,
        };
    }

    private async Task DeleteTopologyAsync(CancellationToken ct)
    {
        await _admin.DeleteQueuesAsync([_names.Queue, _names.Queue + ".dlq"], ct);
        await _admin.DeleteExchangesAsync([_names.Destination, _names.Queue + ".dlq"], ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_peer is not null) await _peer.DisposeAsync();
        try { await PostgresAdmin.DropAsync(_names.Database, CancellationToken.None); } catch (Exception) { /* cleanup */ }
        if (!IsKafka) await DeleteTopologyAsync(CancellationToken.None);
        await _admin.DisposeAsync();
    }
}
