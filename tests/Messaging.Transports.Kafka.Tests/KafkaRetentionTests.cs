using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaRetentionTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    /// <summary>Records deleted before the group handled them (retention: the mock's 5 MB per partition, or DeleteRecords on a real cluster) cannot
    /// be delivered; librdkafka silently moves to the earliest offset. The consumer must say so: an Error event
    /// 3021 and the out-of-range counter.</summary>
    [Fact]
    public async Task Records_deleted_before_the_group_handled_them_are_reported_as_an_error_and_counted()
    {
        var events = new EventLog();
        var (provider, transport, endpoint) = await KafkaTestSupport.StartAsync(fixture.Settings, "retention", events: events);
        await using var _ = provider;
        var topic = endpoint.Destinations[0];
        var first = Enumerable.Range(0, 5).Select(i => KafkaTestSupport.NewEnvelope(topic, "one-key", i)).ToList();
        await transport.SendBatchAsync(first, CancellationToken.None);
        Assert.Equal(first.Count, (await KafkaTestSupport.ConsumeAsync(transport, endpoint, first.Count)).Count);

        // While the group is stopped at offset 5, the broker deletes records it has not handled. The mock keeps about 5 MB per
        // partition, so pushing the partition past that deletes its oldest records; a real cluster is asked to (DeleteRecords,
        // which the mock does not support), as retention would.
        var big = new byte[64 * 1024];
        for (var batch = 0; batch < (KafkaFixture.RealCluster ? 1 : 4); batch++)
        {
            var envelopes = Enumerable.Range(0, 30).Select(i => KafkaTestSupport.NewEnvelope(topic, "one-key", i) with { Body = big }).ToList();
            await transport.SendBatchAsync(envelopes, CancellationToken.None);
        }
        if (KafkaFixture.RealCluster)
        {
            var (_, end, written) = Watermarks(topic);
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.BootstrapServers }).Build();
            await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, written, end - 10)]);
        }
        var (low, high, partition) = Watermarks(topic);
        output.WriteLine($"partition {partition}: log start {low}, end {high}; the group's committed offset is {first.Count}");
        Assert.True(low > first.Count, $"the mock kept the records from offset {first.Count} (log start {low}); nothing to test");

        long resets = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KafkaTelemetry.MeterName && instrument.Name == KafkaTelemetry.RecordsDeletedResets) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "messaging.consumer.group.name" && (string?)tag.Value == endpoint.Name) Interlocked.Add(ref resets, value);
        });
        listener.Start();

        var handled = (await KafkaTestSupport.ConsumeAsync(transport, endpoint, (int)(high - low))).Count;
        var reported = events.Events.Where(e => e.Id == 3021).Select(e => e.Text).ToList();
        output.WriteLine($"second run handled {handled} (log start {low} .. end {high}); 3021 events {reported.Count}; counter {Interlocked.Read(ref resets)}");
        foreach (var text in reported) output.WriteLine(text);
        Assert.Equal(high - low, handled);
        Assert.Single(reported);
        Assert.Contains($"[{partition}]", reported[0], StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref resets));
    }

    private (long Low, long High, int Partition) Watermarks(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers, GroupId = "watermarks" })
            .SetLogHandler((_, _) => { }).Build();
        for (var p = 0; ; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            if (w.High > 0) return (w.Low, w.High, p);
        }
    }
}
