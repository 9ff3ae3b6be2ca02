using System.CommandLine;
using OrderService;

// The order service: places orders with the outbox, dispatches them through the configured broker,
// applies each once through the inbox, and reports what happened, counted from the database.
var orders = new Option<int>("--orders") { Description = "Orders to place (count).", DefaultValueFactory = _ => 1000 };
var transport = new Option<string?>("--transport") { Description = "inmemory | rabbitmq | kafka (default: Messaging:Transport of appsettings.json, InMemory)." };
var database = new Option<string?>("--database") { Description = "sqlite | postgres (default: Sample:Database, sqlite)." };
var reportJson = new Option<FileInfo?>("--report-json") { Description = "Also write the report as JSON to this file." };
var warmup = new Option<int?>("--warmup") { Description = "Orders placed and applied before the measured part (default: a fifth of --orders, at most 2000; none below 500)." };
var otel = new Option<bool>("--otel") { Description = "Print the library's spans and metrics (OpenTelemetry console exporter); try it with a few orders." };
var dashboard = new Option<string?>("--dashboard") { Description = "Also serve the dashboard at this loopback address (for example http://127.0.0.1:5080, page /messaging) and keep running after the report until Ctrl+C." };
var timeout = new Option<int>("--timeout-seconds") { Description = "Give up waiting for the consumer after this many seconds.", DefaultValueFactory = _ => 300 };

var root = new RootCommand("Order service sample: outbox -> broker -> inbox, with a report of lost and applied-twice counts.")
{
    orders, transport, database, reportJson, timeout, otel, warmup, dashboard,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var dashboardAddress = parse.GetValue(dashboard) is { } address ? Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri : null : null;
    if (parse.GetValue(dashboard) is { } given && dashboardAddress is null)
    {
        Console.Error.WriteLine($"--dashboard {given}: not an absolute address; for example http://127.0.0.1:5080.");
        return 2;
    }
    var settings = new RunSettings(
        parse.GetValue(orders), parse.GetValue(transport), parse.GetValue(database),
        parse.GetValue(reportJson), TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(otel), parse.GetValue(warmup), dashboardAddress);
    if (settings.Orders < 1)
    {
        Console.Error.WriteLine("--orders must be at least 1.");
        return 2;
    }
    var report = await OrderRun.RunAsync(settings, async report =>
    {
        report.Print(Console.Out);
        if (settings.ReportJson is { } file) await report.WriteJsonAsync(file, cancellationToken);
    }, cancellationToken);
    return report.Ok ? 0 : 1;
});
return await root.Parse(args).InvokeAsync();
