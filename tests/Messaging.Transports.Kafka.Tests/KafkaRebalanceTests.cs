using Messaging.Compliance;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
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
/// lost and nothing applied twice; the rebalance's redeliveries show up as duplicates the inbox skipped.
/// </summary>
public sealed class KafkaRebalanceTests(ITestOutputHelper output)
{
    private const int Total = 2000;

    [Theory]
    [InlineData("CooperativeSticky")]
    [InlineData("Range")]
    public async Task Second_consumer_joining_mid_stream_loses_nothing_and_the_inbox_absorbs_the_duplicates(string strategy)
    {
        using var cluster = PrivateCluster.Start();
        var topic = Names.Unique("rebalance");
        var endpoint = Names.Unique("ep");
        cluster.CreateTopic(topic, 6);
        var database = Path.Combine(Path.GetTempPath(), Names.Unique("rebalance") + ".db");
        var settings = cluster.Settings(new()
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Endpoint"] = endpoint,
            ["Messaging:Kafka:PartitionAssignmentStrategy"] = strategy,
            ["Messaging:Kafka:CommitMode"] = "KeyOrder",
            ["Messaging:Kafka:MaxConcurrency"] = "4",
        });
        var eventsA = new EventLog();
        var eventsB = new EventLog();
        using var hostA = BuildHost(settings, topic, database, eventsA);
        using var hostB = BuildHost(settings, topic, database, eventsB);
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
    }

    private static async Task<int> CountRowsAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.CountAsync();
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, string topic, string database, EventLog events)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(events);
        builder.Services.AddMessaging(builder.Configuration).AddKafka()
            .Map<ComplianceMessage>(topic, m => m.Key)
            .AddHandler<ComplianceMessage, InboxRecordingHandler>()
            .AddEntityFrameworkOutbox<InboxDbContext>();
        builder.Services.AddDbContext<InboxDbContext>(o => o.UseSqlite($"Data Source={database}"));
        return builder.Build();
    }
}
