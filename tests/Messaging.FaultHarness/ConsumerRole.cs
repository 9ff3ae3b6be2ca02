using Microsoft.Extensions.Hosting;

namespace Messaging.FaultHarness;

/// <summary>Consumes and applies work items through the inbox until stopped (SIGTERM) or killed.</summary>
public static class ConsumerRole
{
    public static async Task<int> RunAsync(HarnessSettings settings, CancellationToken ct)
    {
        using var host = HarnessHost.Build(settings, consumer: true, dieAfterSends: 0);
        await host.RunAsync(ct);
        return 0;
    }
}
