using Messaging.InMemory;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Instances of one service configured differently on one database (issue 23, item 1): an instance without
/// <c>Messaging:Transport</c> refuses to start, and one on another transport never sends the rows written for a broker,
/// which wait, visibly, for an instance that uses it.</summary>
public abstract class SharedDatabaseScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Rows_written_for_a_broker_are_never_sent_by_an_instance_on_another_transport()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var broker = new InMemoryTransport(); // stands for the broker every correctly configured instance publishes to
        var writer = await HostAsync(start: false, configure: m => m.AddTransport("Broker", _ => broker),
            settings: new Dictionary<string, string?> { ["Messaging:Transport"] = "Broker", ["Test:Suffix"] = suffix });
        var destination = writer.Services.GetRequiredService<MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await InScopeAsync(writer, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            for (var i = 0; i < 3; i++) outbox.Enqueue(new OrderPlaced($"B-{i}"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        // Started without the setting (a missing 'Messaging' section): refused, naming the key.
        var unconfigured = await HostAsync(start: false, settings: new Dictionary<string, string?> { ["Messaging:Transport"] = null, ["Test:Suffix"] = suffix });
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => unconfigured.StartAsync());
        Assert.Contains("Messaging:Transport is not set", refused.Message, StringComparison.Ordinal);

        // Started on the in-process transport by choice: it dispatches its own row, and leaves the broker's rows alone.
        var inMemory = await HostAsync(settings: new Dictionary<string, string?> { ["Test:Suffix"] = suffix });
        await using var inMemorySide = await TransportSink.StartAsync(inMemory.Services.GetRequiredService<Transport.IMessageTransport>(), "in-memory-side", destination);
        await InScopeAsync(inMemory, async services =>
        {
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced("M-1"));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });
        // Its row has a higher id than the broker's rows: a claim that took them would have taken them by now.
        await Wait.UntilAsync(() => !inMemorySide.Received.IsEmpty, "the in-memory instance's own row");
        await using (var db = Database.CreateContext())
        {
            var rows = await db.Set<OutboxMessage>().Where(m => m.Transport == "Broker").ToListAsync();
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal((OutboxStatus.Pending, 0, (string?)null), (r.Status, r.Attempts, r.LeaseOwner)));
            Assert.Equal("InMemory", (await db.Set<OutboxMessage>().SingleAsync(m => m.Transport != "Broker")).Transport);
        }
        Assert.Single(inMemorySide.Received);
        var health = await inMemory.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "messaging-outbox");
        var outboxHealth = health.Entries["messaging-outbox"];
        Assert.Equal(HealthStatus.Degraded, outboxHealth.Status);
        Assert.Equal("3 for Broker", outboxHealth.Data["pending_for_other_transports"]);

        // An instance that uses the broker sends them.
        await using var brokerSide = await TransportSink.StartAsync(broker, "broker-side", destination);
        await StartAsync(writer);
        await Wait.UntilAsync(() => brokerSide.Received.Count == 3, "the broker's rows, sent by an instance that uses it");
    }
}

public sealed class SqliteSharedDatabaseTests(SqliteDatabase database, ITestOutputHelper output)
    : SharedDatabaseScenarios<SqliteDatabase>(database, output);

public sealed class PostgresSharedDatabaseTests(PostgresDatabase database, ITestOutputHelper output)
    : SharedDatabaseScenarios<PostgresDatabase>(database, output);
