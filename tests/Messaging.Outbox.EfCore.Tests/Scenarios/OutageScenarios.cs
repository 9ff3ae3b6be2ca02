using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Publishing;
using Messaging.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>One transport's broker away: its rows wait without spending attempts (one probe at a time), the other
/// transports' rows keep flowing, and the paused rows go out by themselves once the broker is back.</summary>
public abstract class OutageScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    private readonly SwitchableTransport _switchable = new();

    [Fact]
    public async Task A_transport_whose_broker_is_down_waits_without_spending_attempts_while_the_others_flow()
    {
        var host = await HostAsync(configure: m => m.AddTransport("Switchable", _ => _switchable)
                .Map<SecondaryNote>("notes-" + Guid.NewGuid().ToString("N"), transport: "Switchable"),
            settings: new Dictionary<string, string?> { ["Messaging:Outbox:MaxAttempts"] = "2", ["Messaging:Outbox:MaxBackoffMs"] = "200" });
        var destination = host.Services.GetRequiredService<MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await using var downSink = await TransportSink.StartAsync(_switchable, "switchable-side", destination);
        await using var primarySink = await TransportSink.StartAsync(host.Services.GetRequiredService<Messaging.Transport.IMessageTransport>(), "primary-side", destination);
        _switchable.GoDown();
        var factory = host.Services.GetRequiredService<IEnvelopeFactory>();
        await InScopeAsync(host, async services =>
        {
            var outbox = services.GetRequiredService<IOutbox>();
            for (var i = 0; i < 20; i++)
            {
                outbox.Enqueue(factory.Create(new OrderPlaced($"down-{i}"), typeof(OrderPlaced)), "Switchable");
                outbox.Enqueue(factory.Create(new OrderPlaced($"up-{i}"), typeof(OrderPlaced)));
            }
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        await Wait.UntilAsync(() => primarySink.Received.Count == 20, "the other transport's 20 rows");
        // The first round tries the rows of a transport it has not seen fail yet, then the transport is paused and only
        // probed. Five probes later is well past MaxAttempts (2) × MaxBackoffMs (200 ms): rows that spent attempts on
        // the outage would be Failed by now.
        await Wait.UntilAsync(() => Volatile.Read(ref _switchable.SendsWhileDown) >= 25, "a few probes of the paused transport");
        await using (var db = Database.CreateContext())
        {
            var waiting = await db.Set<OutboxMessage>().Where(m => m.Transport == "Switchable").ToListAsync();
            Output.WriteLine($"while down: {waiting.Count(m => m.Status == OutboxStatus.Pending)} pending, sends tried {_switchable.SendsWhileDown}, most attempts {waiting.Max(m => m.Attempts)}");
            Assert.All(waiting, m => Assert.Equal((OutboxStatus.Pending, 0), (m.Status, m.Attempts)));
            Assert.Contains(waiting, m => m.LastError?.Contains("unavailable, attempt not counted", StringComparison.Ordinal) == true);
        }
        Assert.Empty(downSink.Received);

        _switchable.ComeBack();
        await Wait.UntilAsync(() => downSink.Received.Count == 20, "the paused rows after the broker came back");
        await using var check = Database.CreateContext();
        Assert.Equal(40, await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent && m.Attempts == 0));
    }
}

public sealed class SqliteOutageTests(SqliteDatabase database, ITestOutputHelper output)
    : OutageScenarios<SqliteDatabase>(database, output);

public sealed class PostgresOutageTests(PostgresDatabase database, ITestOutputHelper output)
    : OutageScenarios<PostgresDatabase>(database, output);
