using System.CommandLine;
using Messaging.FaultHarness;

// run: the orchestrator. produce / consume: the child processes it starts (same program, other role).
var transport = new Option<string>("--transport") { Description = "rabbitmq | kafka", DefaultValueFactory = _ => "rabbitmq" };
var database = new Option<string>("--database") { Description = "sqlite | postgres", DefaultValueFactory = _ => "sqlite" };
var messages = new Option<int>("--messages") { Description = "Messages to push through (count).", DefaultValueFactory = _ => 20_000 };
var stateDir = new Option<string>("--state-dir") { Description = "Folder for the SQLite file, child logs and statistics.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "messaging-fault-harness") };
var interval = new Option<int>("--fault-interval-ms") { Description = "Time between faults (ms).", DefaultValueFactory = _ => 3000 };
var rounds = new Option<int>("--rounds") { Description = "Inject exactly this many rounds of every fault kind (after the long outage) and keep the run going until they are all injected; 0 = a fault every interval until the end.", DefaultValueFactory = _ => 0 };
var rate = new Option<int>("--rate") { Description = "Producer rate limit (messages/s); 0 = as fast as possible.", DefaultValueFactory = _ => 1000 };
var timeout = new Option<int>("--timeout-seconds") { Description = "Give up after this many seconds.", DefaultValueFactory = _ => 900 };
var json = new Option<FileInfo?>("--json") { Description = "Write the figures as JSON to this file." };
var longOutage = new Option<int>("--long-outage-seconds") { Description = "First fault: the broker down this long (s), longer than the outbox's retry budget; 0 = none." };
var maxBacklog = new Option<int>("--max-backlog") { Description = "(produce) Most work items written but not yet applied (count); 0 = unbounded." };
var rabbitContainer = new Option<string>("--rabbitmq-container") { Description = "none | single | cluster: RabbitMQ in containers this run starts (cluster = three nodes), with their faults; --transport rabbitmq only.", DefaultValueFactory = _ => "none" };
var onlyFaults = new Option<string>("--faults") { Description = "Comma-separated fault kinds to inject (default: every kind that applies)." };
var dieAfterSends = new Option<int>("--die-after-sends") { Description = "(produce) SIGKILL itself after this many confirmed sends, before mark-sent; 0 = never." };

HarnessSettings Settings(ParseResult p)
{
    var t = p.GetValue(transport)!.ToLowerInvariant();
    var d = p.GetValue(database)!.ToLowerInvariant();
    if (t is not ("rabbitmq" or "kafka")) throw new ArgumentException($"--transport is '{t}'; allowed values: rabbitmq, kafka.");
    if (d is not ("sqlite" or "postgres")) throw new ArgumentException($"--database is '{d}'; allowed values: sqlite, postgres.");
    return new HarnessSettings(t, d, p.GetValue(messages), Path.GetFullPath(p.GetValue(stateDir)!));
}

var run = new Command("run", "Push messages through outbox -> broker -> inbox in separate processes while injecting faults; count from the database.")
{
    transport, database, messages, stateDir, interval, rounds, rate, timeout, json, longOutage, rabbitContainer, onlyFaults,
};
run.SetAction(async (p, _) =>
{
    var options = new RunOptions(p.GetValue(interval), p.GetValue(rounds), p.GetValue(rate), TimeSpan.FromSeconds(p.GetValue(timeout)), p.GetValue(json),
        p.GetValue(longOutage))
    {
        RabbitMqContainer = p.GetValue(rabbitContainer)!.ToLowerInvariant(),
        OnlyFaults = (p.GetValue(onlyFaults) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };
    HarnessReport report;
    try
    {
        report = await new Orchestrator(Settings(p), options).RunAsync();
    }
    catch (FaultPlanException ex)
    {
        Console.WriteLine($"  RESULT: FAILED: {ex.Message}");
        return 1;
    }
    report.Print(Console.Out);
    if (options.Json is { } file) await report.WriteJsonAsync(file);
    return report.Ok ? 0 : 1;
});
var produce = new Command("produce", "(child) write work items with the outbox and dispatch them.") { transport, database, messages, stateDir, dieAfterSends, rate, maxBacklog };
produce.SetAction((p, ct) => ProducerRole.RunAsync(Settings(p), p.GetValue(dieAfterSends), p.GetValue(rate), p.GetValue(maxBacklog), ct));
var consume = new Command("consume", "(child) apply work items through the inbox.") { transport, database, messages, stateDir };
consume.SetAction((p, ct) => ConsumerRole.RunAsync(Settings(p), ct));

var root = new RootCommand("Fault-injection harness: nothing lost, nothing applied twice, with figures.") { run, produce, consume };
return await root.Parse(args).InvokeAsync();
