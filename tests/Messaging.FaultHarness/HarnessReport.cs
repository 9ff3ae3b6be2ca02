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
    /// <summary>A run passes only when nothing failed: see <see cref="Failures"/>.</summary>
    public bool Ok => Failures.Count == 0;

    /// <summary>Why the run fails, empty when it passes: not finished in time, lost, applied twice or Failed rows, a planned
    /// fault not injected as often as planned, a stall longer than <see cref="StallBoundMs"/>, a key's messages applied out of order.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            if (!Finished) failures.Add("timed out before every message was applied");
            if (Lost > 0) failures.Add($"{Lost} lost");
            if (AppliedTwice > 0) failures.Add($"{AppliedTwice} applied twice");
            if (FailedRows > 0) failures.Add($"{FailedRows} outbox rows Failed");
            failures.AddRange(FaultPlan.Shortfall(PlannedFaults, Faults).Select(s => "planned fault not injected: " + s));
            if (LongestStallMs > StallBoundMs) failures.Add($"longest stall {LongestStallMs / 1000.0:0.0} s, over its bound of {StallBoundMs / 1000.0:0.0} s");
            if (OrderViolations > 0) failures.Add($"{OrderViolations} message(s) applied after a later message of their key (first: {FirstOrderViolation})");
            return failures;
        }
    }

    /// <summary>The longest time nothing was applied while work items waited (ms; see <see cref="Stalls"/>).</summary>
    public long LongestStallMs { get; init; }

    /// <summary>The most <see cref="LongestStallMs"/> may be: the longest fault (ms, from start to its end, e.g. a broker back
    /// up) plus <see cref="Orchestrator.RecoveryAllowance"/>.</summary>
    public long StallBoundMs { get; init; } = long.MaxValue;

    /// <summary>Faults the run planned, by kind (at least that many of each must be injected).</summary>
    public IReadOnlyDictionary<string, int> PlannedFaults { get; init; } = new Dictionary<string, int>();

    /// <summary>Work items applied after a work item of the same key that was created later (first applications only).</summary>
    public int OrderViolations { get; init; }

    /// <summary>The first of <see cref="OrderViolations"/>, for the log.</summary>
    public string? FirstOrderViolation { get; init; }

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

    /// <summary>Work items written so far; -1 while the database restarts.</summary>
    public static async Task<int> WrittenAsync(HarnessSettings settings)
    {
        try
        {
            await using var db = OpenDb(settings);
            return await db.WorkItems.CountAsync();
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            return -1;
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
        var applications = await db.Effects.OrderBy(e => e.Id).Select(e => new { e.Key, e.Seq }).ToListAsync();
        var (violations, first) = KeyOrder(applications.Select(a => (a.Key, a.Seq)));
        return new HarnessReport(settings.Transport, settings.Database, settings.Messages, sent, applied,
            settings.Messages - applied, perSeq.Count(p => p.Count > 1), StatisticsWriter.SumDuplicates(settings.StateDir),
            (long)maxDelay, faults, (long)elapsed.TotalMilliseconds, finished, failed, (long?)firstSentAfterOutage?.TotalMilliseconds)
        {
            LongestStallMs = Stalls.LongestMs(created.Values, perSeq.Where(p => created.ContainsKey(p.Seq)).Select(p => p.First)),
            OrderViolations = violations,
            FirstOrderViolation = first,
        };
    }

    /// <summary>Per key, work items are created in increasing seq and must be applied in that order: counts the first
    /// applications (in application order) whose seq is below one already applied for their key.</summary>
    public static (int Violations, string? First) KeyOrder(IEnumerable<(string Key, int Seq)> applications)
    {
        var highest = new Dictionary<string, int>();
        var seen = new HashSet<int>();
        var (violations, first) = (0, (string?)null);
        foreach (var (key, seq) in applications)
        {
            if (!seen.Add(seq)) continue; // a second application is counted as applied twice
            if (highest.TryGetValue(key, out var top) && seq < top)
            {
                violations++;
                first ??= $"{key}: seq {seq} applied after seq {top}";
            }
            else highest[key] = seq;
        }
        return (violations, first);
    }

    public void Print(TextWriter o)
    {
        o.WriteLine($"fault harness: {Transport} + {Database}, {Messages} messages, {ElapsedMs / 1000.0:0.0} s{(Finished ? "" : " (TIMED OUT)")}");
        o.WriteLine($"  sent {Sent}, applied {Applied}, lost {Lost}, applied twice {AppliedTwice}, duplicates absorbed {DuplicatesAbsorbed}, max delay {MaxDelayMs} ms, longest stall {LongestStallMs} ms");
        o.WriteLine($"  faults injected (planned): {FaultCounts()}");
        o.WriteLine($"  longest stall {LongestStallMs / 1000.0:0.0} s (bound {StallBoundMs / 1000.0:0.0} s); messages applied out of their key's order {OrderViolations}");
        o.WriteLine($"  outbox rows Failed {FailedRows}" + (FirstSentAfterOutageMs is { } ms ? $"; first row sent {ms} ms after the long outage ended" : "")
            + (OutageLogLines is { } lines ? $"; {lines} log entries from the children during the outage and 10 s after" : ""));
        o.WriteLine(Ok
            ? $"  RESULT: nothing lost, nothing applied twice, every planned fault injected ({FaultCounts()}), longest stall {LongestStallMs / 1000.0:0.0} s within {StallBoundMs / 1000.0:0.0} s, every key in order."
            : $"  RESULT: FAILED: {string.Join("; ", Failures)}; faults {FaultCounts()}");
    }

    private string FaultCounts() =>
        string.Join(", ", Faults.Keys.Union(PlannedFaults.Keys).Order(StringComparer.Ordinal)
            .Select(k => $"{k} x{Faults.GetValueOrDefault(k)}" + (PlannedFaults.TryGetValue(k, out var planned) ? $" ({planned})" : "")));

    public async Task WriteJsonAsync(FileInfo file)
    {
        file.Directory?.Create();
        var json = new
        {
            transport = Transport, database = Database, messages = Messages, sent = Sent, applied = Applied, lost = Lost,
            appliedTwice = AppliedTwice, duplicatesAbsorbed = DuplicatesAbsorbed, maxDelayMs = MaxDelayMs, longestStallMs = LongestStallMs,
            faults = Faults.Keys.Union(PlannedFaults.Keys).Order(StringComparer.Ordinal)
                .Select(k => new { kind = k, count = Faults.GetValueOrDefault(k), planned = PlannedFaults.GetValueOrDefault(k) }),
            stallBoundMs = StallBoundMs, orderViolations = OrderViolations, firstOrderViolation = FirstOrderViolation,
            elapsedMs = ElapsedMs, finished = Finished, ok = Ok, failures = Failures,
            failedRows = FailedRows, firstSentAfterOutageMs = FirstSentAfterOutageMs, outageLogLines = OutageLogLines,
        };
        await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }
}
