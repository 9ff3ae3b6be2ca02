using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Messaging.Testing;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

/// <summary>
/// Two hosts in one consumer group, each with the EF Core inbox on one shared SQLite database; the second joins
/// in the middle of a stream. Counts come from the database: one business row per message id means nothing was
/// lost and nothing applied twice; the rebalance's redeliveries show up as duplicates the inbox skipped, as many as the
/// revokes' commits allow. And a revoke with a record held across it, exactly.
/// </summary>
public sealed partial class KafkaRebalanceTests(ITestOutputHelper output)
{
    private const int Total = 2000, Partitions = 6, MaxConcurrency = 4, AutoCommitIntervalMs = 100;
    /// <summary>The producer's pace: 25 messages every 100 ms.</summary>
    private const int PerSecond = 250;

    [Theory]
    [InlineData("CooperativeSticky")]
    [InlineData("Range")]
    public async Task Second_consumer_joining_mid_stream_loses_nothing_and_the_inbox_absorbs_the_duplicates(string strategy)
    {
        using var cluster = PrivateCluster.Start();
        var topic = Names.Unique("rebalance");
        var endpoint = Names.Unique("ep");
        cluster.CreateTopic(topic, Partitions);
        using var database = new TempDatabase("rebalance");
        var settings = cluster.Settings(new()
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Endpoint"] = endpoint,
            ["Messaging:Kafka:PartitionAssignmentStrategy"] = strategy,
            ["Messaging:Kafka:OrderingMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Kafka:AutoCommitIntervalMs"] = AutoCommitIntervalMs.ToString(CultureInfo.InvariantCulture),
        });
        var eventsA = new EventLog();
        var eventsB = new EventLog();
        using var hostA = BuildHost(settings, topic, database.ConnectionString, eventsA);
        using var hostB = BuildHost(settings, topic, database.ConnectionString, eventsB);
        await using (var scope = hostA.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<InboxDbContext>();
            await db.Database.EnsureCreatedAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;"); // two hosts write one file
        }
        await hostA.StartAsync();
        var statsA = hostA.Services.GetRequiredService<MessagingStatistics>();
        var statsB = hostB.Services.GetRequiredService<MessagingStatistics>();
        var publisher = hostA.Services.GetRequiredService<IMessagePublisher>();
        var producing = Task.Run(async () =>
        {
            foreach (var chunk in Enumerable.Range(0, Total).Chunk(25))
            {
                await Task.WhenAll(chunk.Select(i => publisher.PublishAsync(new ComplianceMessage($"key-{i % 40}", i))));
                await Task.Delay(100);
            }
        });
        await Eventually.WaitUntilAsync(() => statsA.Handled >= Total / 4, KafkaTestSupport.Deadline, "a quarter of the stream");
        await hostB.StartAsync(); // joins mid-stream: rebalance
        await producing.WaitAsync(KafkaTestSupport.Deadline);
        await Eventually.WaitUntilAsync(async () => await CountRowsAsync(hostA) >= Total, TimeSpan.FromSeconds(60), "every message applied");
        var revokes = eventsA.Events.Concat(eventsB.Events).Where(e => e.Id == 3004).Select(e => e.Text).ToList(); // before the stops' own
        await Task.WhenAll(hostA.StopAsync(), hostB.StopAsync());

        await using var check = hostA.Services.CreateAsyncScope();
        var handled = check.ServiceProvider.GetRequiredService<InboxDbContext>().Handled;
        var rows = await handled.CountAsync();
        var distinct = await handled.Select(r => r.MessageId).Distinct().CountAsync();
        var skipped = statsA.DuplicatesSkipped + statsB.DuplicatesSkipped;
        output.WriteLine($"{strategy}: sent {Total}, applied {distinct} distinct in {rows} business rows, lost {Total - distinct}, applied twice {rows - distinct}, " +
            $"handler runs A {statsA.Handled} B {statsB.Handled}, duplicates absorbed by the inbox {skipped}; " +
            $"A revokes {eventsA.Count(3004)} assigns {eventsA.Count(3003)} lost {eventsA.Count(3005)}, B assigns {eventsB.Count(3003)}");
        foreach (var e in eventsA.Events.Concat(eventsB.Events).Where(e => e.Id is 3003 or 3004 or 3006 or 3011 or 3014)) output.WriteLine($"  {e.Id} {e.Text}");
        Assert.Equal(Total, distinct);    // 0 lost
        Assert.Equal(distinct, rows);     // 0 applied twice
        Assert.True(statsB.Handled > 0, "the second consumer got partitions");
        Assert.Equal(0, eventsA.Count(3005) + eventsB.Count(3005));
        // A revoke drains and commits, so at most the records running at that moment come again. Where the broker refused a
        // revoke's commit (the mock refuses every commit while its group rebalances: eager revokes always, cooperative ones
        // when the other member rejoins first), the next owner resumes from the last commit the broker took: before the
        // rebalance began, which the member learns at its next heartbeat (session / 3), plus one background commit interval.
        // Records handled in that window, at twice the producer's pace for margin, may come again.
        var refused = revokes.Count(r => r.Contains("commit failed", StringComparison.Ordinal));
        var windowMs = (int.Parse(settings["Messaging:Kafka:SessionTimeoutMs"]!, CultureInfo.InvariantCulture) / 3) + AutoCommitIntervalMs;
        var bound = (MaxConcurrency * Partitions) + (refused * 2 * PerSecond * windowMs / 1000);
        output.WriteLine($"revokes before the stop {revokes.Count}, their commit refused {refused}: duplicates bound {bound}");
        Assert.InRange(skipped, 0, bound);
    }

    /// <summary>
    /// A partition is revoked while one of its records is still in its handler, held across the rebalance, and the records
    /// after it (other keys) have finished. The revoke must wait for the held record, not cancel it, and then commit the
    /// partition's end; the next owner starts exactly at the committed offset, so it gets again only what was not committed.
    /// The held record is released only once the revoke of its partition has begun, which the lag gauge shows (a partition's
    /// measurement goes when its revoke starts). Background commits (every 100 ms) have committed the held record's offset
    /// before the second member joins. A real broker accepts the revoke's commit (the group's current generation may commit
    /// while it prepares a rebalance); librdkafka's mock may refuse it with REBALANCE_IN_PROGRESS, which the revoke logs, and
    /// then the next owner resumes from the background commit: both outcomes are asserted exactly.
    /// </summary>
    [Fact]
    public async Task A_revoke_waits_for_the_running_record_commits_and_the_next_owner_gets_only_uncommitted_records_again()
    {
        const long HeldOffset = 3;
        using var cluster = PrivateCluster.Start();
        var settings = cluster.Settings(new()
        {
            ["Messaging:Kafka:OrderingMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = "4",
            ["Messaging:Kafka:AutoCommitIntervalMs"] = "100",
            ["Messaging:Kafka:RevokeDrainTimeoutMs"] = "60000",
            ["Messaging:Kafka:MaxPollIntervalMs"] = "120000", // the drain waits at most half of it
        });
        var eventsA = new EventLog();
        var (providerA, transportA, endpoint) = await KafkaTestSupport.StartAsync(settings, "revoke", createTopic: t => cluster.CreateTopic(t, 2), events: eventsA);
        await using var disposeA = providerA;
        var (providerB, transportB, _) = await KafkaTestSupport.StartAsync(settings, "revoke", endpoint: endpoint);
        await using var disposeB = providerB;
        var topic = endpoint.Destinations[0];
        await transportA.SendBatchAsync([.. Enumerable.Range(0, 40).Select(i => KafkaTestSupport.NewEnvelope(topic, $"key-{i}", i))], CancellationToken.None);
        var ends = new[] { cluster.EndOffset(topic, 0), cluster.EndOffset(topic, 1) };
        Assert.All(ends, end => Assert.True(end > HeldOffset + 1, $"partition ends [{string.Join(", ", ends)}]: too few records after the held one"));

        var handled = new ConcurrentQueue<(string Member, int Partition, long Offset, bool AfterRevoke)>();
        var held = new ConcurrentDictionary<int, TaskCompletionSource>();
        var cancelled = 0;
        MessageProcessor Member(string name) => async (m, ct) =>
        {
            var at = KafkaTestSupport.Position(m.Source);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (at.Offset.Value == HeldOffset && held.TryAdd(at.Partition.Value, release)) // only its first delivery is held
            {
                try { await release.Task.WaitAsync(ct); }
                catch (OperationCanceledException) { Interlocked.Increment(ref cancelled); throw; }
            }
            handled.Enqueue((name, at.Partition.Value, at.Offset.Value, eventsA.Count(3004) > 0));
            return ProcessingResult.Ack;
        };
        using var lag = new LagWatch(endpoint.Name);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var receivingA = transportA.ReceiveAsync(endpoint, Member("A"), stopA.Token);
        await Eventually.WaitUntilAsync(() => held.Count == 2 && handled.Count == ends.Sum() - 2, KafkaTestSupport.Deadline, "each partition holding one record, every other record handled");
        await Eventually.WaitUntilAsync(() => lag.Partitions().Count == 2, KafkaTestSupport.Deadline, "the lag of both partitions");
        await Eventually.WaitUntilAsync(() => cluster.Committed(endpoint.Name, topic, 0).Value == HeldOffset && cluster.Committed(endpoint.Name, topic, 1).Value == HeldOffset,
            KafkaTestSupport.Deadline, "the background commit of both partitions up to the held record");

        var receivingB = transportB.ReceiveAsync(endpoint, Member("B"), stopB.Token); // joins: A gives up a partition
        var released = new List<int>();
        await Eventually.WaitUntilAsync(() =>
        {
            foreach (var partition in held.Keys.Except(lag.Partitions()).Except(released).ToList())
            {
                released.Add(partition); // its revoke has begun and waits for the held record
                held[partition].TrySetResult();
            }
            return eventsA.Count(3004) > 0;
        }, KafkaTestSupport.Deadline, "A's revoke");
        var revoke = eventsA.Events.First(e => e.Id == 3004).Text;
        var revoked = Revoked(revoke, topic);
        var committedAtRevoke = revoked.ToDictionary(p => p, p => cluster.Committed(endpoint.Name, topic, p).Value);
        var refused = revoke.Contains("commit failed (RebalanceInProgress)", StringComparison.Ordinal);
        foreach (var release in held.Values) release.TrySetResult(); // the partition A kept
        // A marker after each revoked partition's end: once the next owner has handled it, it has handled all it got again.
        foreach (var partition in revoked) await ProduceAsync(cluster.BootstrapServers, new TopicPartition(topic, partition), KafkaTestSupport.NewEnvelope(topic, "marker", -1));
        await Eventually.WaitUntilAsync(() => revoked.All(p => handled.Any(h => h.Partition == p && h.Offset == ends[p])) && handled.Select(h => (h.Partition, h.Offset)).Distinct().Count() == ends.Sum() + revoked.Count,
            KafkaTestSupport.Deadline, "every record handled, and the markers");
        await Task.WhenAll(stopA.CancelAsync(), stopB.CancelAsync());
        await Task.WhenAll(receivingA, receivingB).WaitAsync(KafkaTestSupport.Deadline);

        var again = revoked.ToDictionary(p => p, p => handled.Where(h => h.Partition == p && h.AfterRevoke && h.Offset < ends[p]).Select(h => h.Offset).Order().ToList());
        output.WriteLine($"partition ends [{string.Join(", ", ends)}]; A revoked [{string.Join(", ", revoked)}] ({revoke}); released during the revoke [{string.Join(", ", released)}]; " +
            $"committed at the revoke [{string.Join(", ", committedAtRevoke.Select(c => $"{c.Key}@{c.Value}"))}]; handled by A {handled.Count(h => h.Member == "A")}, by B {handled.Count(h => h.Member == "B")}; " +
            $"handled again after the revoke [{string.Join("; ", again.Select(a => $"{a.Key}: {string.Join(",", a.Value)}"))}]; held records cancelled {cancelled}");
        foreach (var e in eventsA.Events.Where(e => e.Id is 3003 or 3004 or 3006)) output.WriteLine($"  A {e.Id} {e.Text}");
        Assert.NotEmpty(revoked);
        Assert.Equal(revoked.Order(), released.Order()); // the held record of each revoked partition ran across its revoke...
        Assert.Equal(0, cancelled); // ...and the revoke waited for it
        foreach (var partition in revoked)
        {
            // Committed: the partition's end (the held record included), or, where the broker refused the revoke's commit, the background commit.
            Assert.Equal(refused ? HeldOffset : ends[partition], committedAtRevoke[partition]);
            // Handled again: exactly the records from the committed offset on (none when the revoke committed).
            Assert.Equal(Enumerable.Range((int)committedAtRevoke[partition], (int)(ends[partition] - committedAtRevoke[partition])).Select(o => (long)o), again[partition]);
        }
    }

    private static async Task ProduceAsync(string bootstrapServers, TopicPartition partition, Envelope envelope)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers }).SetLogHandler((_, _) => { }).Build();
        await producer.ProduceAsync(partition, KafkaEnvelopeMapper.ToMessage(envelope));
    }

    /// <summary>The partitions of <paramref name="topic"/> a revoke's log line (event 3004) names.</summary>
    private static List<int> Revoked(string revoke, string topic) =>
        [.. PartitionPattern().Matches(revoke).Where(m => m.Groups[1].Value == topic).Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"([^\s\[,]+)\[(\d+)\]")]
    private static partial Regex PartitionPattern();

    /// <summary>The partitions of one consumer group that have a lag measurement (<see cref="KafkaTelemetry.ConsumerLag"/>) now.</summary>
    private sealed class LagWatch : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly HashSet<int> _seen = [];

        public LagWatch(string group)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaTelemetry.MeterName && instrument.Name == KafkaTelemetry.ConsumerLag) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? measuredGroup = null, partition = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "messaging.consumer.group.name") measuredGroup = tag.Value as string;
                    if (tag.Key == "messaging.destination.partition.id") partition = tag.Value as string;
                }
                if (measuredGroup == group && partition is not null) _seen.Add(int.Parse(partition, CultureInfo.InvariantCulture));
            });
            _listener.Start();
        }

        public IReadOnlySet<int> Partitions()
        {
            lock (_seen)
            {
                _seen.Clear();
                _listener.RecordObservableInstruments(); // calls back synchronously, on this thread
                return new HashSet<int>(_seen);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private static async Task<int> CountRowsAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.CountAsync();
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, string topic, string connectionString, EventLog events)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(events);
        builder.Services.AddMessaging(builder.Configuration).AddKafka()
            .Map<ComplianceMessage>(topic, m => m.Key)
            .AddHandler<ComplianceMessage, InboxRecordingHandler>()
            .AddEntityFrameworkOutbox<InboxDbContext>();
        builder.Services.AddDbContext<InboxDbContext>(o => o.UseSqlite(connectionString));
        return builder.Build();
    }
}
