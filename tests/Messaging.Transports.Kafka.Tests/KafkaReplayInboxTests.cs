using Messaging.Testing;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.Kafka.Tests;

public sealed class KafkaReplayInboxTests(KafkaFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Replayed_messages_already_in_the_inbox_are_acknowledged_and_skipped()
    {
        var topic = Names.Unique("replay-inbox");
        var endpoint = Names.Unique("ep");
        using var database = new TempDatabase("replay-inbox");
        using (var first = BuildHost(endpoint, topic, database.ConnectionString))
        {
            await using (var scope = first.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();
            await first.StartAsync();
            var publisher = first.Services.GetRequiredService<IMessagePublisher>();
            for (var i = 0; i < 10; i++) await publisher.PublishAsync(new ComplianceMessage($"k{i % 3}", i));
            var statistics = first.Services.GetRequiredService<MessagingStatistics>();
            await Eventually.WaitUntilAsync(() => statistics.Handled >= 10, KafkaTestSupport.Deadline, "10 handled");
            await first.StopAsync();
            await KafkaTestSupport.ReplayFromAsync(first.Services, fixture.BootstrapServers, endpoint, topic, DateTimeOffset.UnixEpoch);
        }

        using var second = BuildHost(endpoint, topic, database.ConnectionString);
        await second.StartAsync();
        var again = second.Services.GetRequiredService<MessagingStatistics>();
        await Eventually.WaitUntilAsync(() => again.DuplicatesSkipped >= 10, KafkaTestSupport.Deadline, "10 replayed duplicates");
        await second.StopAsync();
        await using var check = second.Services.CreateAsyncScope();
        var rows = await check.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.CountAsync();
        output.WriteLine($"replay of 10 handled messages: handled again {again.Handled}, skipped by the inbox {again.DuplicatesSkipped}, business rows {rows}");
        Assert.Equal(0, again.Handled);
        Assert.Equal(10, rows);
    }

    private IHost BuildHost(string endpoint, string topic, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(fixture.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Kafka",
            ["Messaging:Endpoint"] = endpoint,
        });
        builder.Services.AddMessaging(builder.Configuration).AddKafka()
            .Map<ComplianceMessage>(topic, m => m.Key)
            .AddHandler<ComplianceMessage, InboxRecordingHandler>()
            .AddEntityFrameworkOutbox<InboxDbContext>();
        builder.Services.AddDbContext<InboxDbContext>(o => o.UseSqlite(connectionString));
        return builder.Build();
    }
}
