using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaLagTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Consumer_lag_gauge_shows_the_backlog_per_partition_and_drops_to_zero()
    {
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture, "lag");
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var sent = Enumerable.Range(0, 30).Select(i => KafkaTestSupport.NewEnvelope(topic, "one-key", i)).ToList();
        await transport.SendBatchAsync(sent, CancellationToken.None);

        var lags = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KafkaTelemetry.MeterName && instrument.Name == KafkaTelemetry.ConsumerLag) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString());
            if (all["messaging.consumer.group.name"] == endpoint.Name) lags[$"{all["messaging.destination.name"]}[{all["messaging.destination.partition.id"]}]"] = value;
        });
        listener.Start();

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;
        using var stop = new CancellationTokenSource();
        var receiving = transport.ReceiveAsync(endpoint, async (m, ct) =>
        {
            await release.Task.WaitAsync(ct); // a stuck handler: the backlog stays
            Interlocked.Increment(ref handled);
            return ProcessingResult.Ack;
        }, stop.Token);
        await Eventually.WaitUntilAsync(() => { listener.RecordObservableInstruments(); return lags.Values.Sum() >= sent.Count; }, KafkaTestSupport.Deadline, "lag of 30");
        var stuckLag = lags.Values.Sum();
        release.TrySetResult();
        await Eventually.WaitUntilAsync(() => { listener.RecordObservableInstruments(); return Volatile.Read(ref handled) >= sent.Count && lags.Values.Sum() == 0; }, KafkaTestSupport.Deadline, "lag of 0");
        output.WriteLine($"lag while stuck {stuckLag} on [{string.Join(", ", lags.Keys)}]; after draining {lags.Values.Sum()}");
        await stop.CancelAsync();
        await receiving.WaitAsync(KafkaTestSupport.Deadline);
        Assert.Equal(sent.Count, stuckLag);
    }
}
