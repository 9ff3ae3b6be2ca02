using System.Diagnostics;

namespace Messaging.RabbitMq.Tests;

/// <summary>Fault injection through the local node's rabbitmqctl; unavailable against an external broker.</summary>
internal static class BrokerControl
{
    public static bool Available =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ")) && File.Exists("/usr/sbin/rabbitmqctl");

    /// <summary>Force-closes the connections whose client-provided name is <paramref name="clientName"/>; returns how many.</summary>
    public static async Task<int> CloseConnectionsAsync(string clientName)
    {
        var listing = await RunAsync("-q", "list_connections", "--no-table-headers", "pid", "client_properties");
        var names = listing.Split('\n').Where(line => line.Contains(clientName, StringComparison.Ordinal))
            .Select(line => line.Split('\t')[0]).ToList();
        foreach (var name in names) await RunAsync("-q", "close_connection", name, "fault injection by test");
        return names.Count;
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"rabbitmqctl {string.Join(" ", arguments.Select(a => $"[{a}]"))} failed: {output} {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
