using System.Text.Json;
using Messaging.Cli;
using Spectre.Console;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement;

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>Runs the <c>messaging</c> command in this process, as an operator would in a terminal without one (no prompts).</summary>
public static class Operator
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = CliApp.WidthWithoutTerminal(null); // as the tool sets it when its output is not a terminal
        var code = await CliApp.RunAsync(args, console, output, error);
        var result = new CliResult(code, output.ToString(), error.ToString());
        await TranscribeAsync(args, result);
        return result;
    }

    /// <summary>With MESSAGING_OPS_TRANSCRIPT set to a file, each run is appended to it as a terminal would show it
    /// (the connection and broker arguments, which the configuration would give, left out).</summary>
    private static async Task TranscribeAsync(string[] args, CliResult result)
    {
        if (Environment.GetEnvironmentVariable("MESSAGING_OPS_TRANSCRIPT") is not { Length: > 0 } file) return;
        var shown = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--connection" or "--provider" or "--rabbitmq-uri" or "--kafka-bootstrap") { i++; continue; }
            shown.Add(args[i]);
        }
        var text = $"$ messaging {string.Join(' ', shown)}\n{result.Output}{result.Error}" + (result.ExitCode == 0 ? "" : $"(exit {result.ExitCode})\n");
        await Gate.WaitAsync();
        try { await File.AppendAllTextAsync(file, text + "\n"); }
        finally { Gate.Release(); }
    }

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Runs it and requires exit code 0.</summary>
    public static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"messaging {string.Join(' ', args.Where(a => !a.Contains('=', StringComparison.Ordinal)))} failed: {result}");
        return result;
    }
}
