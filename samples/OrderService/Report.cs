using System.Text.Json;
using Messaging.Diagnostics;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace OrderService;

/// <summary>What a run did, counted from the database (lost, applied twice) and the library's statistics.</summary>
public sealed record Report(
    int Placed, int Published, int Handled, long DuplicatesSkipped, long DeadLettered, int Lost, int AppliedTwice,
    long ElapsedMs, double MessagesPerSecond, IReadOnlyDictionary<string, int> OutboxByStatus, ReportContext Context)
{
    /// <summary>Every order applied exactly once and the run finished in time.</summary>
    public bool Ok => Context.Finished && Lost == 0 && AppliedTwice == 0 && Handled == Placed;

    public static async Task<Report> CountAsync(OrdersDbContext db, MessagingStatistics statistics, ReportContext context, CancellationToken ct)
    {
        var placed = await db.Orders.CountAsync(ct);
        var appliedPerOrder = db.AppliedOrders.Where(a => db.Orders.Any(o => o.Id == a.OrderId)).GroupBy(a => a.OrderId);
        var handled = await appliedPerOrder.CountAsync(ct);
        var appliedTwice = await appliedPerOrder.CountAsync(g => g.Count() > 1, ct);
        var lost = await db.Orders.CountAsync(o => !db.AppliedOrders.Any(a => a.OrderId == o.Id), ct);
        var byStatus = (await db.Set<OutboxMessage>().GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => x.Key.ToString(), x => x.Count);
        var published = byStatus.GetValueOrDefault(nameof(OutboxStatus.Sent));
        var elapsedMs = (long)context.Elapsed.TotalMilliseconds;
        var rate = context.Cost.MeasuredOrders / Math.Max(context.Elapsed.TotalSeconds, 0.001);
        return new Report(placed, published, handled, statistics.DuplicatesSkipped, statistics.DeadLettered, lost, appliedTwice,
            elapsedMs, Math.Round(rate, 1), byStatus, context);
    }

    public void Print(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"Order service: {Context.Transport} transport, {Context.Database} database ({Context.DataSource})");
        o.WriteLine(new string('-', 72));
        Row(o, "orders placed (business row + outbox row, one transaction)", Placed);
        Row(o, "outbox rows published and confirmed by the broker", Published);
        Row(o, "  of which duplicates published on purpose (same message id)", Context.DuplicatesPublished);
        Row(o, "  of which poison messages", 1);
        Row(o, "orders handled (applied by the consumer)", Handled);
        Row(o, "duplicates skipped by the inbox", DuplicatesSkipped);
        Row(o, "dead-lettered (with reason)", DeadLettered);
        Row(o, "lost (placed, never applied; counted in the database)", Lost);
        Row(o, "applied twice (counted in the database)", AppliedTwice);
        Row(o, "warm-up orders (placed and applied before measuring)", Context.Cost.WarmupOrders);
        Row(o, "elapsed for the other orders (ms)", ElapsedMs);
        Row(o, "throughput (orders handled per second, after the warm-up)", MessagesPerSecond);
        Row(o, "CPU time of this process per order (ms, after the warm-up)", Context.Cost.CpuMsPerOrder);
        Row(o, "bytes allocated per order (after the warm-up)", Context.Cost.AllocatedBytesPerOrder);
        o.WriteLine($"outbox table messaging_outbox by status: {string.Join(", ", OutboxByStatus.Select(kv => $"{kv.Key} = {kv.Value}"))}");
        if (Context.Database == "sqlite")
            o.WriteLine($"read it yourself: sqlite3 {Context.DataSource} \"select id, message_id, destination, status, attempts, sent_at from messaging_outbox limit 5\"");
        o.WriteLine(Ok ? "RESULT: every order applied exactly once." : $"RESULT: FAILED{(Context.Finished ? "" : " (timed out waiting for the consumer)")}.");
    }

    public async Task WriteJsonAsync(FileInfo file, CancellationToken ct)
    {
        var json = new
        {
            placed = Placed, published = Published, handled = Handled, duplicatesSkipped = DuplicatesSkipped,
            deadLettered = DeadLettered, lost = Lost, appliedTwice = AppliedTwice, elapsedMs = ElapsedMs,
            messagesPerSecond = MessagesPerSecond, warmupOrders = Context.Cost.WarmupOrders, cpuMsPerOrder = Context.Cost.CpuMsPerOrder,
            allocatedBytesPerOrder = Context.Cost.AllocatedBytesPerOrder, transport = Context.Transport, database = Context.Database,
            outbox = OutboxByStatus, ok = Ok,
        };
        file.Directory?.Create();
        await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), ct);
    }

    private static void Row(TextWriter o, string label, object value) => o.WriteLine($"{label,-64} {value,8}");
}
