using System.CommandLine;
using System.Data.Common;
using Confluent.Kafka;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Messaging.Cli;

/// <summary>Runs a command's action with its <see cref="CliContext"/> and turns every failure into one line on standard
/// error and exit code 1 (a usage error is System.CommandLine's, with its help).</summary>
internal sealed class CliRunner(IAnsiConsole console, TextWriter error)
{
    public void Bind(Command command, Func<CliContext, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(new CliContext(parse, console), cancellationToken);
            }
            catch (CliException ex)
            {
                return Fail(ex.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail("cancelled");
            }
            catch (MessagingException ex)
            {
                return Fail(ex.Message); // written for the person on call already
            }
            catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException
                or KafkaException or BrokerUnreachableException or OperationInterruptedException or IOException)
            {
                // The clients' messages name hosts, never passwords; the inner one is usually the useful one.
                return Fail($"{ex.GetType().Name}: {Innermost(ex).Message}");
            }
        });

    private int Fail(string message)
    {
        error.WriteLine("messaging: " + message.ReplaceLineEndings(" "));
        return 1;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner) ex = inner;
        return ex;
    }
}
