using Messaging.Outbox;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.FaultHarness;

/// <summary>
/// Writes the work items with their outbox rows (100 per transaction, at most <c>rate</c> a second, at most <c>maxBacklog</c>
/// ahead of the applied ones when that is above 0, and no further than the orchestrator's allowance when it writes one), resuming
/// after the last committed one when restarted, and runs the dispatcher until every row is sent. Survives database restarts.
/// </summary>
public static class ProducerRole
{
    private const int PerTransaction = 100;

    /// <summary>The file in which the orchestrator says how many work items may be written so far (absent: all).</summary>
    public static string AllowanceFile(string stateDir) => Path.Combine(stateDir, "produce-allowance");

    public static async Task<int> RunAsync(HarnessSettings settings, int dieAfterSends, int rate, int maxBacklog, CancellationToken ct)
    {
        using var host = HarnessHost.Build(settings, consumer: false, dieAfterSends);
        await host.StartAsync(ct);
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
                var allowed = Allowance(settings);
                if (next > allowed || (maxBacklog > 0 && next - 1 - await db.Effects.CountAsync(ct) > maxBacklog))
                {
                    await Task.Delay(200, ct);
                    continue;
                }
                var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
                for (var seq = next; seq < next + PerTransaction && seq <= allowed; seq++)
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

    private static int Allowance(HarnessSettings settings)
    {
        var file = AllowanceFile(settings.StateDir);
        return File.Exists(file) ? Math.Min(int.Parse(File.ReadAllText(file), System.Globalization.CultureInfo.InvariantCulture), settings.Messages) : settings.Messages;
    }
}
