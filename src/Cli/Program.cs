using Messaging.Cli;
using Spectre.Console;

// messaging: the operator's tool for a Messaging application (README "Operations").
var console = AnsiConsole.Console;
// Piped into a file or another program, Spectre assumes 80 columns; tables of message ids need more.
if (Console.IsOutputRedirected) console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 40 ? columns : 160;
return await CliApp.RunAsync(args, console, Console.Out, Console.Error);
