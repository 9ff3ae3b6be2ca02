using System.Collections.Concurrent;
using System.Diagnostics;
using Messaging.Testing;
using Messaging.Diagnostics;
using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PublishException = Messaging.Publishing.PublishException;

namespace Messaging.RabbitMq.Tests;

/// <summary>What a fault run measured; <see cref="ToString"/> is the line quoted in reports.</summary>
public sealed record FaultCounts(string Scenario, int Published, int Confirmed, int FailedToCaller, int Handled,
    int Lost, int AppliedTwice, long Deliveries, long DuplicatesSkipped, int FailedButHandled, TimeSpan SlowestPublish, int ConfirmedAfterFault,
    TimeSpan LongestStall)
{
    public override string ToString() =>
        $"{Scenario}: published {Published}, confirmed {Confirmed}, failed-to-caller {FailedToCaller}, handled {Handled}, lost {Lost}, " +
        $"applied twice {AppliedTwice} (deliveries {Deliveries}, duplicates skipped by the inbox {DuplicatesSkipped}, " +
        $"failed-to-caller yet handled {FailedButHandled}, confirmed after the fault {ConfirmedAfterFault}, slowest publish {SlowestPublish.TotalMilliseconds:0} ms, " +
        $"longest stall of the machine {LongestStall.TotalMilliseconds:0} ms)";
}

/// <summary>
/// Publishes N messages through a real host (RabbitMQ transport, EF Core inbox on SQLite) while a fault
/// happens, then counts from the database: which confirmed messages were handled, and how many times.
/// </summary>
internal static class FaultRun
{
    public const int PublishTimeoutMs = 5_000;

    public static async Task<FaultCounts> RunAsync(RabbitMqBroker broker, string scenario, int total, Func<Task> fault)
    {
        var destination = Names.Unique("fault");
        using var database = new TemporarySqliteFile("fault-inbox");
        await using var stalls = StallMeter.Start();
        using var host = TestHost.Build(broker, new Dictionary<string, string?>
        {
            ["Messaging:Endpoint"] = Names.Unique("ep-fault"),
            ["Messaging:RabbitMq:PublishTimeoutMs"] = PublishTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:RabbitMq:RecoveryIntervalMs"] = "500",
            ["Messaging:Retry:InitialDelayMs"] = "10",
        }, b => b.Map<ComplianceMessage>(destination, m => m.Key).AddHandler<ComplianceMessage, InboxRecordingHandler>().AddEntityFrameworkOutbox<InboxDbContext>(),
            s => s.AddDbContext<InboxDbContext>(o => o.UseSqlite($"{database.ConnectionString};Default Timeout=30")));
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Database.EnsureCreatedAsync();
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IEnvelopeFactory>();
        var publisher = host.Services.GetRequiredService<IMessagePublisher>();
        var statistics = host.Services.GetRequiredService<MessagingStatistics>();

        var confirmed = new ConcurrentDictionary<string, byte>();
        var failed = new ConcurrentDictionary<string, byte>();
        var slowestTicks = 0L;
        var confirmedAfterFault = 0;
        var faultDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var inFlight = new SemaphoreSlim(64);
        var publishes = new List<Task>(total);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                if (i == total * 9 / 10) await faultDone.Task; // publishing overlaps the fault; the last tenth goes out after it
                await inFlight.WaitAsync();
                var envelope = factory.Create(new ComplianceMessage($"key-{i % 16}", i), typeof(ComplianceMessage));
                publishes.Add(Task.Run(async () =>
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        await publisher.PublishEnvelopeAsync(envelope);
                        confirmed[envelope.MessageId] = 0;
                        if (faultDone.Task.IsCompleted) Interlocked.Increment(ref confirmedAfterFault);
                    }
                    catch (PublishException)
                    {
                        failed[envelope.MessageId] = 0;
                    }
                    finally
                    {
                        InterlockedMax(ref slowestTicks, watch.Elapsed.Ticks);
                        inFlight.Release();
                    }
                }));
                await Task.Delay(2); // about 300 messages a second: the run spans the fault
            }
        });

        await Eventually.WaitUntilAsync(() => confirmed.Count >= total / 10, TimeSpan.FromSeconds(60), "a tenth of the messages confirmed");
        try { await fault(); }
        finally { faultDone.TrySetResult(); }
        await publishing.WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromMilliseconds(PublishTimeoutMs + 10_000));

        // Every confirmed message must show up in the handled table; wait for it with a deadline.
        var handledRows = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            handledRows = await ReadHandledAsync(host);
            var handled = handledRows.ToHashSet(StringComparer.Ordinal);
            if (confirmed.Keys.All(handled.Contains) || DateTime.UtcNow > deadline) break;
            await Task.Delay(250);
        }
        await host.StopAsync();
        var distinct = handledRows.ToHashSet(StringComparer.Ordinal);
        return new FaultCounts(scenario, total, confirmed.Count, failed.Count, distinct.Count,
            Lost: confirmed.Keys.Count(id => !distinct.Contains(id)),
            AppliedTwice: handledRows.GroupBy(id => id, StringComparer.Ordinal).Count(g => g.Count() > 1),
            Deliveries: statistics.Handled + statistics.DuplicatesSkipped, statistics.DuplicatesSkipped,
            FailedButHandled: failed.Keys.Count(distinct.Contains), TimeSpan.FromTicks(Interlocked.Read(ref slowestTicks)), confirmedAfterFault,
            stalls.Longest);
    }

    private static async Task<List<string>> ReadHandledAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxDbContext>().Handled.AsNoTracking().Select(h => h.MessageId).ToListAsync();
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
    }
}
