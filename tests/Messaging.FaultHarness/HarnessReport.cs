using System.Text.Json;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.FaultHarness;

/// <summary>The run's figures, counted in the database (and the consumers' inbox statistics files).</summary>
public sealed record HarnessReport(
    string Transport, string Database, int Messages, int Sent, int Applied, int Lost, int AppliedTwice,
    long DuplicatesAbsorbed, long MaxDelayMs, IReadOnlyDictionary<string, int> Faults, long ElapsedMs, bool Finished,
    int FailedRows = 0, long? FirstSentAfterOutageMs = null, int? OutageLogLines = null)
{
    public bool Ok => Finished && Lost == 0 && AppliedTwice == 0 && FailedRows == 0;

    /// <summary>The longest time nothing was applied while work items waited (ms; see <see cref="Stalls"/>).</summary>
    public long LongestStallMs { get; init; }

    public static HarnessDbContext OpenDb(HarnessSettings settings)
    {
        var builder = new DbContextOptionsBuilder<HarnessDbContext>();
        if (settings.Database == "postgres") builder.UseNpgsql(settings.ConnectionString);
        else builder.UseSqlite(settings.ConnectionString);
        return new HarnessDbContext(builder.Options);
    }

    public static async Task<int> AppliedAsync(HarnessSettings settings)
    {
        try
        {
            await using var db = OpenDb(settings);
            return await db.Effects.Select(e => e.Seq).Distinct().CountAsync();
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            return -1; // the database is restarting
        }
    }

    /// <summary>Outbox rows the broker confirmed so far; -1 while the database restarts.</summary>
    public static async Task<int> SentAsync(HarnessSettings settings)
    {
        try
        {
            await using var db = OpenDb(settings);
            return await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            return -1;
        }
    }

    public static async Task<HarnessReport> CountAsync(HarnessSettings settings, IReadOnlyDictionary<string, int> faults, TimeSpan elapsed, bool finished,
        TimeSpan? firstSentAfterOutage = null)
    {
        await using var db = OpenDb(settings);
        var sent = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent);
        var failed = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Failed);
        var perSeq = await db.Effects.GroupBy(e => e.Seq)
            .Select(g => new { Seq = g.Key, Count = g.Count(), First = g.Min(e => e.AppliedAt) }).ToListAsync();
        var created = await db.WorkItems.ToDictionaryAsync(w => w.Seq, w => w.CreatedAt);
        var applied = perSeq.Count(p => created.ContainsKey(p.Seq));
        var maxDelay = perSeq.Where(p => created.ContainsKey(p.Seq)).Select(p => (p.First - created[p.Seq]).TotalMilliseconds).DefaultIfEmpty().Max();
        return new HarnessReport(settings.Transport, settings.Database, settings.Messages, sent, applied,
            settings.Messages - applied, perSeq.Count(p => p.Count > 1), StatisticsWriter.SumDuplicates(settings.StateDir),
            (long)maxDelay, faults, (long)elapsed.TotalMilliseconds, finished, failed, (long?)firstSentAfterOutage?.TotalMilliseconds)
        {
            LongestStallMs = Stalls.LongestMs(created.Values, perSeq.Where(p => created.ContainsKey(p.Seq)).Select(p => p.First)),
        };
    }

    public void Print(TextWriter o)
    {
        o.WriteLine($"fault harness: {Transport} + {Database}, {Messages} messages, {ElapsedMs / 1000.0:0.0} s{(Finished ? "" : " (TIMED OUT)")}");
        o.WriteLine($"  sent {Sent}, applied {Applied}, lost {Lost}, applied twice {AppliedTwice}, duplicates absorbed {DuplicatesAbsorbed}, max delay {MaxDelayMs} ms, longest stall {LongestStallMs} ms");
        o.WriteLine($"  faults: {string.Join(", ", Faults.Select(f => $"{f.Key} x{f.Value}"))}");
        o.WriteLine($"  outbox rows Failed {FailedRows}" + (FirstSentAfterOutageMs is { } ms ? $"; first row sent {ms} ms after the long outage ended" : "")
            + (OutageLogLines is { } lines ? $"; {lines} log entries from the children during the outage and 10 s after" : ""));
        o.WriteLine(Ok ? "  RESULT: nothing lost, nothing applied twice." : "  RESULT: FAILED");
    }

    public async Task WriteJsonAsync(FileInfo file)
    {
        file.Directory?.Create();
        var json = new
        {
            transport = Transport, database = Database, messages = Messages, sent = Sent, applied = Applied, lost = Lost,
            appliedTwice = AppliedTwice, duplicatesAbsorbed = DuplicatesAbsorbed, maxDelayMs = MaxDelayMs, longestStallMs = LongestStallMs,
            faults = Faults.Select(f => new { kind = f.Key, count = f.Value }), elapsedMs = ElapsedMs, finished = Finished, ok = Ok,
            failedRows = FailedRows, firstSentAfterOutageMs = FirstSentAfterOutageMs, outageLogLines = OutageLogLines,
        };
        await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }
}
