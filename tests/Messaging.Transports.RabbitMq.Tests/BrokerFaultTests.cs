using Xunit;
using Xunit.Abstractions;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// The fault runs: 2,000 messages published while every connection is closed, and while the broker
/// application restarts. Every publish ends confirmed or throws within PublishTimeoutMs; every confirmed message is
/// handled by a consumer that recovered by itself; the inbox applies none twice. The counts are printed.
/// </summary>
[Collection(BrokerFaultCollection.Name)]
public sealed class BrokerFaultTests(FaultBroker broker, ITestOutputHelper output) : IClassFixture<FaultBroker>
{
    private const int Messages = 2_000;

    [SkippableFact]
    public async Task Publishing_through_close_all_connections_loses_nothing_and_applies_nothing_twice()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var counts = await FaultRun.RunAsync(broker, "close_all_connections", Messages, broker.Control.CloseAllConnectionsAsync);
        AssertGuarantees(counts);
    }

    [SkippableFact]
    public async Task Publishing_through_a_broker_restart_loses_nothing_and_applies_nothing_twice()
    {
        Skip.IfNot(broker.Control.Available, broker.Control.WhyUnavailable);
        var counts = await FaultRun.RunAsync(broker, "stop_app/start_app", Messages, async () =>
        {
            await broker.Control.StopAppAsync();
            try
            {
                await Task.Delay(1_000); // the outage itself: publishes meanwhile must fail fast, not hang
            }
            finally
            {
                await broker.Control.StartAppAsync();
            }
        });
        AssertGuarantees(counts);
    }

    private void AssertGuarantees(FaultCounts counts)
    {
        output.WriteLine(counts.ToString());
        Assert.Equal(counts.Published, counts.Confirmed + counts.FailedToCaller);
        Assert.Equal(0, counts.Lost);
        Assert.Equal(0, counts.AppliedTwice);
        Assert.True(counts.ConfirmedAfterFault > 0, "the publisher recovered: some messages were confirmed after the fault");
        // PublishTimeoutMs bounds every publish; on top of it, the time this machine could not run our continuations (with
        // 64 publishes in flight on 2 shared cores), measured alongside, and 3 s for the rest of the publish's own work.
        var bound = TimeSpan.FromMilliseconds(FaultRun.PublishTimeoutMs + 3_000) + counts.LongestStall;
        Assert.True(counts.SlowestPublish <= bound, $"a publish took {counts.SlowestPublish.TotalMilliseconds:0} ms; the bound is PublishTimeoutMs = " +
            $"{FaultRun.PublishTimeoutMs} ms + 3000 ms + the machine's longest stall meanwhile ({counts.LongestStall.TotalMilliseconds:0} ms)");
    }
}
