using Messaging.InMemory;
using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Two application instances dispatch from one PostgreSQL outbox: each row goes out once, each key in order.</summary>
public sealed class PostgresMultiDispatcherTests(PostgresDatabase database, ITestOutputHelper output) : DatabaseTest<PostgresDatabase>(database, output)
{
    [Fact]
    public async Task Two_dispatchers_send_every_row_once_and_keep_per_key_order()
    {
        const int count = 1_200;
        var broker = new InMemoryTransport(); // one broker both instances publish to
        var settings = new Dictionary<string, string?>
        {
            ["Test:Suffix"] = Guid.NewGuid().ToString("N")[..12],
            ["Messaging:Outbox:BatchSize"] = "40",
        };
        var a = await HostAsync(start: false, configure: m => m.AddTransport("InMemory", _ => broker), settings: settings);
        var b = await HostAsync(start: false, configure: m => m.AddTransport("InMemory", _ => broker), settings: settings);
        var destination = a.Services.GetRequiredService<Routing.MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await using var consumer = await TransportSink.StartAsync(broker, "consumer", destination);
        await InScopeAsync(a, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            for (var i = 0; i < count; i++)
                outbox.Enqueue(new OrderPlaced($"S-{i}"), new Publishing.PublishOptions { PartitionKey = $"key-{i % 7}" });
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        await Task.WhenAll(StartAsync(a), StartAsync(b));
        await Wait.UntilAsync(() => consumer.Received.Count >= count, $"{count} messages arrived");
        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent) == count, "all rows are Sent");

        var received = consumer.Received.ToList();
        Assert.Equal(count, received.Select(e => e.MessageId).Distinct().Count());
        Assert.Equal(count, received.Count); // nothing sent twice
        var rows = await check.Set<OutboxMessage>().OrderBy(m => m.Id).ToListAsync();
        foreach (var key in rows.GroupBy(r => r.PartitionKey))
            Assert.Equal(key.Select(r => r.MessageId), received.Where(e => e.PartitionKey == key.Key).Select(e => e.MessageId));
        foreach (var owner in rows.GroupBy(r => r.LeaseOwner)) Output.WriteLine($"{owner.Key} sent {owner.Count()} rows");
    }
}
