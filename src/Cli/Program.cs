using Messaging.Cli;
using Spectre.Console;

// messaging: the operator's tool for a Messaging application (README "Operations").
var console = AnsiConsole.Console;
// Piped into a file or another program, Spectre assumes 80 columns and wraps cells: a script or a log would get message ids
// broken across lines. Without a terminal no cell is wrapped (COLUMNS still narrows it when set).
if (Console.IsOutputRedirected) console.Profile.Width = CliApp.WidthWithoutTerminal(Environment.GetEnvironmentVariable("COLUMNS"));
return await CliApp.RunAsync(args, console, Console.Out, Console.Error);
