using System.CommandLine;
using System.Text.RegularExpressions;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Scenarios;

// The benchmark harness: our library against the raw clients, MassTransit and Wolverine doing the same work, side by
// side in one run on the same brokers. See docs/benchmarks.md.
var scenariosOption = new Option<string?>("--scenarios") { Description = "Only scenarios whose name matches this pattern (regular expression, or a glob with *)." };
var runsOption = new Option<int>("--runs") { Description = "Timed runs per contender and scenario (median and min-max reported; at least 5 for figures worth quoting).", DefaultValueFactory = _ => 5 };
var messagesOption = new Option<int>("--messages") { Description = "Messages per run for the main scenarios (slow ones use a fraction).", DefaultValueFactory = _ => 20_000 };
var smokeOption = new Option<bool>("--smoke") { Description = "Every scenario once with tiny counts, to prove the harness runs (no warm-up, no timing checks)." };
var jsonOption = new Option<FileInfo?>("--json") { Description = "Write the results as a JSON array to this file." };
var listOption = new Option<bool>("--list") { Description = "List the scenario names and exit." };
var profileOption = new Option<bool>("--profile-alloc") { Description = "Print the types that dominate allocations in each timed run (GC AllocationTick sampling)." };

var root = new RootCommand("Messaging benchmarks: ours vs raw RabbitMQ.Client / Confluent.Kafka vs MassTransit vs Wolverine, plus outbox and inbox costs and the main job end to end.")
{
    scenariosOption, runsOption, messagesOption, smokeOption, jsonOption, listOption, profileOption,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var smoke = parse.GetValue(smokeOption);
    var settings = new BenchSettings(smoke ? 1 : Math.Max(1, parse.GetValue(runsOption)), smoke ? 100 : Math.Max(10, parse.GetValue(messagesOption)), smoke);
    var pattern = parse.GetValue(scenariosOption);
    var regex = pattern is null ? null
        : new Regex(pattern.Contains('*') && !pattern.Contains(".*") ? "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$" : pattern, RegexOptions.IgnoreCase);
    var scenarios = Catalog.All().Where(s => regex is null || regex.IsMatch(s.Name)).ToList();
    if (parse.GetValue(listOption))
    {
        foreach (var s in scenarios) Console.WriteLine(s.Name);
        return 0;
    }
    if (scenarios.Count == 0)
    {
        Console.Error.WriteLine($"No scenario matches '{pattern}'. Use --list to see them.");
        return 2;
    }
    Console.WriteLine($"{scenarios.Count} scenario(s), {settings.Runs} run(s), {settings.Messages} messages per run{(smoke ? " (smoke)" : "")}; .NET {Environment.Version}, {Environment.ProcessorCount} cores");
    using var profiler = parse.GetValue(profileOption) ? new AllocationProfiler() : null;
    await E2eOrders.PrepareAsync(scenarios, Console.Out, cancellationToken);
    var runner = new Runner(settings, Console.Out, profiler);
    var results = new List<ScenarioResult>();
    foreach (var scenario in scenarios)
    {
        results.AddRange(await runner.RunAsync(scenario, cancellationToken));
    }
    Report.PrintTable(Console.Out, results);
    if (parse.GetValue(jsonOption) is { } json)
    {
        await Report.WriteJsonAsync(json.FullName, results, cancellationToken);
        Console.WriteLine($"wrote {json.FullName}");
    }
    // Smoke (CI): every scenario must have produced figures; no timing is checked.
    var failed = results.Where(r => r.Errors is not null).Select(r => r.Scenario).ToList();
    if (failed.Count > 0) Console.Error.WriteLine($"{failed.Count} scenario(s) had errors: {string.Join(", ", failed)}");
    return failed.Count > 0 ? 1 : 0;
});
return await root.Parse(args).InvokeAsync();
