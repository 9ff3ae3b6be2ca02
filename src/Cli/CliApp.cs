using System.CommandLine;
using Messaging.Cli.Commands;
using Spectre.Console;

namespace Messaging.Cli;

/// <summary>The <c>messaging</c> command line: <c>outbox</c>, <c>inbox</c>, <c>dlq</c> and <c>kafka</c> command groups and
/// <c>trace</c>, over the application's database and brokers, with the options every command takes.</summary>
internal static class CliApp
{
    public static RootCommand Build(IAnsiConsole console, TextWriter error)
    {
        var run = new CliRunner(console, error);
        var root = new RootCommand("Operate a Messaging application: outbox, inbox, dead letters (database and broker), Kafka lag and replay, and where one message is.")
        {
            OutboxCommands.Create(run),
            InboxCommands.Create(run),
            DlqCommands.Create(run),
            KafkaCommands.Create(run),
            TraceCommand.Create(run),
        };
        foreach (var option in CliOptions.All) root.Options.Add(option);
        return root;
    }

    /// <summary>The table width when the output is not a terminal: <c>COLUMNS</c> when set (above 40), else so wide that no cell
    /// is wrapped, so scripts and logs get message ids whole.</summary>
    public static int WidthWithoutTerminal(string? columns) =>
        int.TryParse(columns, out var width) && width > 40 ? width : 4096;

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 success, 1 failure, 2 usage error).</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parse = Build(console, error).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors) await error.WriteLineAsync("messaging: " + problem.Message);
            await error.WriteLineAsync("Try 'messaging --help'.");
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
