using Messaging.Cli;
using Spectre.Console;

// messaging: the operator's tool for a Messaging application (README "Operations").
return await CliApp.RunAsync(args, AnsiConsole.Console, Console.Out, Console.Error);
