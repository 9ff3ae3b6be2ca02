using System.Diagnostics;
using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>
/// Benchmark, prints only: how fast the dispatcher drains 20,000 pending rows (16 partition keys) to the in-memory
/// transport. Runs only with <c>MESSAGING_BENCH=1</c> (it takes a while), else it is skipped; no timing is asserted.
/// <c>MESSAGING_BENCH=1 dotnet test tests/Messaging.Outbox.EfCore.Tests --filter Category=Benchmark --logger "console;verbosity=detailed"</c>
/// </summary>
[Trait("Category", "Benchmark")]
public abstract class DrainRateBenchmark<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    private const int Rows = 20_000;

    [SkippableTheory]
    [InlineData("StrictPerKey")]
    [InlineData("Pipelined")]
    public async Task Drain_rate_to_the_in_memory_transport(string ordering)
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("MESSAGING_BENCH") == "1", "a benchmark: runs only with MESSAGING_BENCH=1");
        var host = await HostAsync(start: false, settings: new Dictionary<string, string?>
        {
            ["Messaging:Outbox:Ordering"] = ordering,
            ["Messaging:Outbox:BatchSize"] = "1000",
            ["Logging:LogLevel:Default"] = "Information",
        });
        var destination = host.Services.GetRequiredService<Routing.MessageTypeMap>().Get(typeof(OrderPlaced)).Destination;
        await using var sink = await TransportSink.StartAsync(host.Services.GetRequiredService<Transport.IMessageTransport>(), "sink", destination);
        for (var chunk = 0; chunk < Rows; chunk += 2_000)
        {
            await InScopeAsync(host, async services =>
            {
                var outbox = services.GetRequiredService<IOutbox>();
                for (var i = chunk; i < chunk + 2_000; i++) outbox.Enqueue(new OrderPlaced($"B-{i}"), new Publishing.PublishOptions { PartitionKey = $"key-{i % 16}" });
                return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
            });
        }

        await using var check = Database.CreateContext();
        var clock = Stopwatch.StartNew();
        await StartAsync(host);
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Pending) == 0, "all rows are Sent", 300_000);
        clock.Stop();
        Assert.Equal(Rows, sink.Received.Count);
        Output.WriteLine($"BENCH {Database.Provider} {ordering}: {Rows} rows drained in {clock.ElapsedMilliseconds} ms = {Rows / clock.Elapsed.TotalSeconds:F0} rows/s");
    }
}

public sealed class SqliteDrainRateBenchmark(SqliteDatabase database, ITestOutputHelper output)
    : DrainRateBenchmark<SqliteDatabase>(database, output);

public sealed class PostgresDrainRateBenchmark(PostgresDatabase database, ITestOutputHelper output)
    : DrainRateBenchmark<PostgresDatabase>(database, output);
