using System.Text.RegularExpressions;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Hosting;

/// <summary>Runs a host whose configuration may be wrong the way an operator wants to meet it: one log line that says what
/// to fix, and an exit code a supervisor can act on, instead of the same exception logged by the library, logged by the
/// generic host with its stack trace and printed again as an unhandled exception (exit code 134).</summary>
public static partial class MessagingHostExtensions
{
    /// <summary>The exit code of a configuration that can never work: 78 (<c>EX_CONFIG</c> of sysexits.h): an invalid or
    /// missing setting, or a broker that refuses the login, the TLS certificate or the topology.</summary>
    public const int ConfigurationErrorExitCode = 78;

    /// <summary>The exit code when <c>Messaging:StartupMode</c> is <c>FailFast</c> and a consumed broker cannot be reached
    /// at start-up: 69 (<c>EX_UNAVAILABLE</c> of sysexits.h).</summary>
    public const int BrokerUnavailableExitCode = 69;

    /// <summary>
    /// Validates every option registered with <c>ValidateOnStart</c> (the library's and the application's), runs the host
    /// until it stops, and returns the process exit code: 0 after a normal stop; <see cref="ConfigurationErrorExitCode"/>
    /// when a setting is invalid (the host is not started) or a broker refuses this configuration (the host stops);
    /// <see cref="BrokerUnavailableExitCode"/> when <c>FailFast</c> start-up cannot reach a broker. Each of those is written
    /// as one Critical log line (category <c>Messaging.Hosting</c>, event 1012) without a stack trace. Use it as the last
    /// line of <c>Program.cs</c>: <c>return await app.RunMessagingAsync();</c>.
    /// </summary>
    /// <param name="host">The built host (an ASP.NET Core <c>WebApplication</c> is one).</param>
    /// <param name="cancellationToken">Stops the host when cancelled.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <remarks>Any other exception (not a configuration the library can tell is wrong) propagates as from <c>RunAsync</c>.</remarks>
    public static async Task<int> RunMessagingAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Messaging.Hosting");
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (Failures(ex) is { Count: > 0 } failures)
        {
            Log.CannotStart(logger, OneLine(string.Join(" ", failures)), ConfigurationErrorExitCode);
            return ConfigurationErrorExitCode;
        }
        var fatal = host.Services.GetService<FatalStartup>();
        if (fatal is not null) fatal.ExitInsteadOfThrow = true;
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return fatal?.ExitCode ?? 0;
    }

    /// <summary>Every distinct option failure in a validation error (the startup validator aggregates one exception per
    /// options type, and an options type whose validator reads another one repeats that one's failure); empty when
    /// <paramref name="error"/> is not a validation error.</summary>
    private static List<string> Failures(Exception error)
    {
        var all = error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [error];
        if (!all.All(e => e is OptionsValidationException)) return [];
        return [.. all.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The exit code for a failure that stops the host.</summary>
    internal static int ExitCodeFor(Exception error) =>
        error is BrokerUnavailableException ? BrokerUnavailableExitCode : ConfigurationErrorExitCode;

    /// <summary>A message on one line, without a doubled period where a sentence that ends in one was joined to another
    /// (ranges such as <c>1..100</c> are kept).</summary>
    internal static string OneLine(string message) => DoubledPeriod().Replace(message.ReplaceLineEndings(" "), ".");

    [GeneratedRegex(@"(?<!\.)\.\.(?=\s|\)|$)")]
    private static partial Regex DoubledPeriod();
}
