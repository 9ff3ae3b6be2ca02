using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Operations.Tests;

/// <summary>
/// Re-drives as jobs recorded in the database, on SQLite and PostgreSQL: a job killed half-way is listed as interrupted,
/// refused while it may still be running, then resumed, and re-drives each dead letter once (not the ones recorded after it
/// started, nor one it re-drove that failed again), at the rate it was given; a running job is cancelled from another
/// process and stops.
/// </summary>
public abstract class RedriveJobTests(OpsFixture fixture)
{
    private string[] Args(params string[] command) => [.. command, .. fixture.Database.CliArguments];

    private async Task<List<string>> SeedAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Envelope.NewMessageId()).ToList();
        await using var db = fixture.Database.Open();
        await db.Set<RedriveJob>().ExecuteDeleteAsync();
        await db.Set<DeadLetter>().ExecuteDeleteAsync();
        await db.Set<OutboxMessage>().ExecuteDeleteAsync();
        foreach (var id in ids) db.Add(Parked(id));
        await db.SaveChangesAsync();
        return ids;
    }

    private static DeadLetter Parked(string messageId)
    {
        var at = DateTime.UtcNow.AddMinutes(-5);
        return new DeadLetter
        {
            MessageId = messageId, MessageType = "ops.ordered", Endpoint = "e", HandlerName = "apply-order", Transport = "RabbitMq", Destination = "orders",
            Source = "s", DeadLetterDestination = "e.dlq", Reason = "r", Fingerprint = "0123456789ab", ContentType = "application/json",
            Body = "{}"u8.ToArray(), SentAt = at, FirstFailedAt = at, LastFailedAt = at, Failures = 1, Status = DeadLetterStatus.Parked,
        };
    }

    [Fact]
    public async Task A_job_killed_half_way_is_resumed_and_redrives_each_dead_letter_once_at_its_rate()
    {
        var ids = await SeedAsync(60);
        const double rate = 40;
        RedriveJob job;
        await using (var db = fixture.Database.Open())
        {
            job = await RedriveJobs.StartAsync(db, new DeadLetterSelection([], "0123456789ab", false), "alice@ops", "fixed the price rounding", null, rate,
                DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal((60, 0, RedriveJobStatus.Running), (job.Total, job.Done, job.Status));
            using var kill = new CancellationTokenSource();
            // The process dies after its first 20 re-drives: the token stops it between or inside transactions.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                RedriveJobs.RunAsync(db, job.Id, TimeProvider.System, done => { if (done >= 20) kill.Cancel(); }, kill.Token));
        }

        int doneBefore;
        await using (var db = fixture.Database.Open())
        {
            var killed = (await RedriveJobs.FindAsync(db, job.Id, CancellationToken.None))!;
            doneBefore = killed.Done;
            Assert.Equal(RedriveJobStatus.Running, killed.Status);
            Assert.InRange(doneBefore, 20, 59);
            Assert.Equal(doneBefore, await db.Set<OutboxMessage>().CountAsync()); // the count commits with the rows
            // Meanwhile: a dead letter it re-drove failed again, and a new one of the same group arrived. Neither is the resumed job's.
            var failedAgain = await db.Set<DeadLetter>().Where(d => d.LastRedriveJobId == job.Id).OrderBy(d => d.Id).FirstAsync();
            await db.Set<DeadLetter>().Where(d => d.Id == failedAgain.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeadLetterStatus.Parked)
                .SetProperty(d => d.Failures, 2));
            db.Add(Parked("arrived-later"));
            await db.SaveChangesAsync();
        }

        var running = await Operator.RunAsync(Args("dlq", "jobs", "resume", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes"));
        Assert.Equal(1, running.ExitCode);
        Assert.Contains("made progress", running.Error, StringComparison.Ordinal); // it may still be running elsewhere
        await using (var db = fixture.Database.Open()) // as if the dead process had started two minutes ago and last made progress one minute ago
            await db.Set<RedriveJob>().Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.UpdatedAt, DateTime.UtcNow.AddMinutes(-1))
                .SetProperty(j => j.CreatedAt, j => j.CreatedAt.AddMinutes(-2)));
        var listed = (await Operator.OkAsync(Args("dlq", "jobs", "--json"))).Json()[0];
        Assert.Equal(("Interrupted", "alice@ops", "fixed the price rounding", "group 0123456789ab"), (listed.GetProperty("status").GetString(),
            listed.GetProperty("requestedBy").GetString(), listed.GetProperty("reason").GetString(), listed.GetProperty("selection").GetString()));
        await Operator.OkAsync(Args("dlq", "jobs")); // the table, for the transcript

        var resumeStarted = DateTime.UtcNow;
        var resumed = (await Operator.OkAsync(Args("dlq", "jobs", "resume", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes", "--json"))).Json();
        Assert.Equal(("Completed", 60, 60, 60 - doneBefore), (resumed.GetProperty("status").GetString(), resumed.GetProperty("done").GetInt32(),
            resumed.GetProperty("total").GetInt32(), resumed.GetProperty("count").GetInt32()));

        await using (var db = fixture.Database.Open())
        {
            var outbox = await db.Set<OutboxMessage>().AsNoTracking().ToListAsync();
            Assert.Equal(ids.Order(), outbox.Select(m => m.MessageId).Order()); // each once
            var rows = await db.Set<DeadLetter>().AsNoTracking().ToListAsync();
            Assert.Equal(DeadLetterStatus.Parked, rows.Single(r => r.MessageId == "arrived-later").Status);
            Assert.Single(rows, r => r.Failures == 2 && r.Status == DeadLetterStatus.Parked && r.RedriveCount == 1);
            Assert.All(rows.Where(r => r.MessageId != "arrived-later"), r => Assert.Equal((1, job.Id), (r.RedriveCount, r.LastRedriveJobId)));

            // The rate: the resumed run's transactions, each stamped with its start, went out at 40 a second (±20 %).
            var times = outbox.Select(m => m.CreatedAt).Where(t => t >= resumeStarted).Order().ToList();
            Assert.Equal(60 - doneBefore, times.Count);
            var firstChunk = times.Count(t => t == times[0]);
            var measured = (times.Count - firstChunk) / (times[^1] - times[0]).TotalSeconds;
            Assert.InRange(measured, rate * 0.8, rate * 1.2);
        }
    }

    [Fact]
    public async Task A_running_job_cancelled_from_another_process_stops_and_the_rest_stay_parked()
    {
        await SeedAsync(30);
        await using var db = fixture.Database.Open();
        var job = await RedriveJobs.StartAsync(db, new DeadLetterSelection([], null, true), "bob@ops", "", null, 10, DateTimeOffset.UtcNow, CancellationToken.None);
        var started = new TaskCompletionSource();
        var run = RedriveJobs.RunAsync(db, job.Id, TimeProvider.System, done => { if (done >= 3) started.TrySetResult(); }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var cancelled = await Operator.OkAsync(Args("dlq", "jobs", "cancel", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains($"re-drive job {job.Id} cancelled", cancelled.Output, StringComparison.Ordinal);
        var ended = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RedriveJobStatus.Cancelled, ended.Status);
        Assert.InRange(ended.Done, 3, 29);
        await using var check = fixture.Database.Open();
        Assert.Equal(ended.Done, await check.Set<OutboxMessage>().CountAsync()); // nothing after the cancel committed
        Assert.Equal(30 - ended.Done, await check.Set<DeadLetter>().CountAsync(d => d.Status == DeadLetterStatus.Parked));
        var again = await Operator.RunAsync(Args("dlq", "jobs", "cancel", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("is Cancelled; nothing to cancel", again.Error, StringComparison.Ordinal);
    }
}

public sealed class SqliteRedriveJobs(InMemorySqlite fixture) : RedriveJobTests(fixture), IClassFixture<InMemorySqlite>;

public sealed class PostgresRedriveJobs(InMemoryPostgres fixture) : RedriveJobTests(fixture), IClassFixture<InMemoryPostgres>;
