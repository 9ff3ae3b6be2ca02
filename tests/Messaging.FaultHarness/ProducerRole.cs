using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.FaultHarness;

/// <summary>
/// Writes the work items with their outbox rows (100 per transaction, at most <c>rate</c> a second), resuming after the last committed
/// one when restarted, and runs the dispatcher until every row is sent. Survives database restarts.
/// </summary>
public static class ProducerRole
{
    private const int PerTransaction = 100;

    /// <summary>On librdkafka's mock cluster, the most work items written but not yet applied (count). The mock keeps
    /// only about the last 5 MB of each partition (about 23,000 of these records) and drops older ones like
    /// retention, so a producer far ahead of a consumer that keeps being killed would have records deleted
    /// before they are read. A real cluster keeps them for days; there the backlog is unbounded.</summary>
    private const int MockKafkaMaxBacklog = 20_000;

    public static async Task<int> RunAsync(HarnessSettings settings, int dieAfterSends, int rate, CancellationToken ct)
    {
        using var host = HarnessHost.Build(settings, consumer: false, dieAfterSends);
        await host.StartAsync(ct);
        var maxBacklog = settings.Transport == "kafka" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_KAFKA")) ? MockKafkaMaxBacklog : 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HarnessDbContext>();
                var next = (await db.WorkItems.MaxAsync(w => (int?)w.Seq, ct) ?? 0) + 1;
                if (next > settings.Messages)
                {
                    if (!await db.Set<OutboxMessage>().AnyAsync(m => m.Status == OutboxStatus.Pending, ct)) break;
                    await Task.Delay(100, ct);
                    continue;
                }
                if (maxBacklog > 0 && next - 1 - await db.Effects.CountAsync(ct) > maxBacklog)
                {
                    await Task.Delay(200, ct);
                    continue;
                }
                var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
                for (var seq = next; seq < next + PerTransaction && seq <= settings.Messages; seq++)
                {
                    var id = Envelope.NewMessageId();
                    db.WorkItems.Add(new WorkItem { Seq = seq, MessageId = id, CreatedAt = DateTime.UtcNow });
                    outbox.Enqueue(new WorkDone(seq, $"key-{seq % 64}"), new PublishOptions { MessageId = id });
                }
                await db.SaveChangesAsync(ct);
                if (rate > 0) await Task.Delay(PerTransaction * 1000 / rate, ct); // spread production over the run
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // A database restart: whatever committed is in work_items; continue after it.
                Console.Error.WriteLine($"producer: {ex.GetType().Name}: {ex.Message}; retrying");
                await Task.Delay(500, ct);
            }
        }
        await host.StopAsync(CancellationToken.None);
        return 0;
    }
}
