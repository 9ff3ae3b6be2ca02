using System.Diagnostics;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// Fault injection through rabbitmqctl on the local node, or on the node named by MESSAGING_RABBITMQ_NODE (see
/// eng/rabbitmq-test-node.sh); unavailable against an external broker without a node name. Every call is bounded.
/// </summary>
internal static class BrokerControl
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private static string? Node => Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ_NODE") is { Length: > 0 } node ? node : null;

    public static bool Available =>
        (Node is not null || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ"))) && File.Exists("/usr/sbin/rabbitmqctl");

    /// <summary>Force-closes the connections whose client-provided name is <paramref name="clientName"/>; returns how many.</summary>
    public static async Task<int> CloseConnectionsAsync(string clientName)
    {
        var listing = await RunAsync("-q", "list_connections", "--no-table-headers", "pid", "client_properties");
        var names = listing.Split('\n').Where(line => line.Contains(clientName, StringComparison.Ordinal))
            .Select(line => line.Split('\t')[0]).ToList();
        foreach (var name in names) await RunAsync("-q", "close_connection", name, "fault injection by test");
        return names.Count;
    }

    /// <summary>The client-provided names of the open connections.</summary>
    public static async Task<string> ListConnectionNamesAsync() =>
        await RunAsync("-q", "list_connections", "--no-table-headers", "client_properties");

    /// <summary><c>rabbitmqctl close_all_connections</c>: every client connection of the node is closed.</summary>
    public static Task CloseAllConnectionsAsync() => RunAsync("-q", "close_all_connections", "fault injection by test");

    /// <summary><c>rabbitmqctl stop_app</c>: the broker stops (the Erlang node stays up).</summary>
    public static Task StopAppAsync() => RunAsync("-q", "stop_app");

    /// <summary><c>rabbitmqctl start_app</c> then <c>await_startup</c>.</summary>
    public static async Task StartAppAsync()
    {
        await RunAsync("-q", "start_app");
        await RunAsync("-q", "await_startup");
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Node is { } node)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(node);
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rabbitmqctl {string.Join(" ", arguments)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {string.Join(" ", arguments.Select(a => $"[{a}]"))} failed: {await output} {await error}");
        return await output;
    }
}
