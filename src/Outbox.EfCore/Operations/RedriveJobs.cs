using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>
/// Re-drives as governed jobs (the <c>messaging dlq redrive</c> and <c>messaging dlq jobs</c> commands call these): each job
/// is a row of <see cref="RedriveJob"/> that records who asked, why, which dead letters, how fast and how far it got. A job
/// re-drives in transactions that each write the outbox rows, mark their dead letters re-driven by the job and add to the
/// job's done count, so: killed half-way, it resumes where it stopped and re-drives each dead letter once; cancelled, it
/// stops before its next transaction; its rate is held from the dead letters it re-drove in this run.
/// </summary>
public static class RedriveJobs
{
    /// <summary>A <see cref="RedriveJobStatus.Running"/> job without progress for this long was interrupted (its process
    /// died or was stopped) and may be resumed: 30 s, several times the longest gap between two transactions of a job at
    /// 0.1 message per second or more.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    /// <summary>Records a new job for the dead letters <paramref name="selection"/> holds now (parked, with a message id),
    /// without re-driving anything yet (<see cref="RunAsync"/> does).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="selection">Which dead letters.</param>
    /// <param name="requestedBy">Who asks (at most 200 characters), for example <c>user@host</c>.</param>
    /// <param name="reason">Why, in the operator's words; empty for none.</param>
    /// <param name="first">Re-drive at most this many, oldest first (a canary batch); null for all.</param>
    /// <param name="perSecond">Most dead letters per second (messages/s); null for no limit.</param>
    /// <param name="now">The job's creation time.</param>
    /// <param name="cancellationToken">Cancels the queries and the insert.</param>
    /// <returns>The stored job, <see cref="RedriveJobStatus.Running"/>, with its <see cref="RedriveJob.Total"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="first"/> is below 1 or <paramref name="perSecond"/> is not above 0.</exception>
    public static async Task<RedriveJob> StartAsync(DbContext db, DeadLetterSelection selection, string requestedBy, string reason, int? first,
        double? perSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (first is { } n) ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(first));
        if (perSecond is { } rate) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0, nameof(perSecond));
        var upTo = await db.Set<DeadLetter>().MaxAsync(d => (long?)d.Id, cancellationToken).ConfigureAwait(false) ?? 0;
        var selected = await Pending(db, selection, upTo, null, DateTime.MaxValue).CountAsync(cancellationToken).ConfigureAwait(false);
        var job = new RedriveJob
        {
            RequestedBy = requestedBy, Reason = reason,
            MessageIds = selection.Fingerprint is null && !selection.All ? string.Join(',', selection.MessageIds) : null,
            Fingerprint = selection.Fingerprint, AllParked = selection.Fingerprint is null && selection.All, Endpoint = selection.Endpoint,
            SelectedUpTo = upTo, FirstCount = first, RatePerSecond = perSecond,
            Total = first is { } most ? Math.Min(most, selected) : selected,
            Status = RedriveJobStatus.Running, Runner = Runner, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime,
        };
        db.Set<RedriveJob>().Add(job);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return job;
    }

    /// <summary>Runs (or resumes) job <paramref name="jobId"/> until its selection is re-driven, its first
    /// <see cref="RedriveJob.FirstCount"/> are, it is cancelled, or <paramref name="cancellationToken"/> stops it (it then
    /// stays <see cref="RedriveJobStatus.Running"/> and can be resumed once <see cref="StaleAfter"/> has passed).</summary>
    /// <param name="db">A context with the messaging tables; its change tracker is cleared at the end.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="time">The clock for the rate's waits and the rows' times (<see cref="TimeProvider.System"/>).</param>
    /// <param name="progress">Called after each transaction with the job's done count; may be null.</param>
    /// <param name="cancellationToken">Stops between and during transactions; committed ones stay re-driven.</param>
    /// <returns>The job as it stands at the end.</returns>
    /// <exception cref="InvalidOperationException">There is no job <paramref name="jobId"/>.</exception>
    public static async Task<RedriveJob> RunAsync(DbContext db, long jobId, TimeProvider time, Action<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var job = await FindAsync(db, jobId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"There is no re-drive job {jobId}.");
        if (job.Status != RedriveJobStatus.Running) return job;
        var runner = Runner;
        await Jobs(db, jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Runner, runner).SetProperty(j => j.UpdatedAt, time.GetUtcNow().UtcDateTime),
            cancellationToken).ConfigureAwait(false);
        var chunk = job.RatePerSecond is { } rate ? (int)Math.Clamp(Math.Ceiling(rate / 10), 1, DeadLetterOperations.BatchSize) : DeadLetterOperations.BatchSize;
        var started = time.GetTimestamp();
        var done = job.Done;
        var doneHere = 0;
        var after = 0L; // rows are taken in id order: each query seeks past the last batch instead of reading it again
        while (job.FirstCount is not { } first || done < first)
        {
            var take = Math.Min(chunk, job.FirstCount is { } most ? most - done : int.MaxValue);
            var rows = await Pending(db, job.Selection(), job.SelectedUpTo, job.Id, job.CreatedAt).Where(d => d.Id > after).OrderBy(d => d.Id).Take(take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0) break;
            after = rows[^1].Id;
            if (job.RatePerSecond is { } perSecond)
            {
                // The next rows may go once the rows done in this run have had their share of time.
                var due = TimeSpan.FromSeconds(doneHere / perSecond) - time.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, time, cancellationToken).ConfigureAwait(false);
            }
            var count = await RedriveAsync(db, job.Id, rows, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (count is null) break; // cancelled by an operator: nothing of this transaction committed
            done += count.Value;
            doneHere += count.Value;
            progress?.Invoke(done);
        }
        var end = time.GetUtcNow().UtcDateTime;
        await Jobs(db, jobId).Where(j => j.Status == RedriveJobStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, RedriveJobStatus.Completed)
            .SetProperty(j => j.FinishedAt, end).SetProperty(j => j.UpdatedAt, end), cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return (await FindAsync(db, jobId, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Cancels a running job: it stops before its next transaction; what it re-drove stays re-driven.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="now">The cancellation's time.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>True when the job was running and is now cancelled; false when there is no such job or it had ended.</returns>
    public static async Task<bool> CancelAsync(DbContext db, long jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        return await Jobs(db, jobId).Where(j => j.Status == RedriveJobStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, RedriveJobStatus.Cancelled)
            .SetProperty(j => j.FinishedAt, at).SetProperty(j => j.UpdatedAt, at), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The newest jobs, not tracked.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="limit">Most jobs returned (count).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The jobs, newest first.</returns>
    public static Task<List<RedriveJob>> ListAsync(DbContext db, int limit, CancellationToken cancellationToken) =>
        db.Set<RedriveJob>().AsNoTracking().OrderByDescending(j => j.Id).Take(limit).ToListAsync(cancellationToken);

    /// <summary>One job, not tracked.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The job, or null when there is none with that id.</returns>
    public static Task<RedriveJob?> FindAsync(DbContext db, long jobId, CancellationToken cancellationToken) =>
        db.Set<RedriveJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);

    /// <summary>True when <paramref name="job"/> is <see cref="RedriveJobStatus.Running"/> without progress for
    /// <see cref="StaleAfter"/>: interrupted, and safe to resume.</summary>
    /// <param name="job">The job.</param>
    /// <param name="now">Now.</param>
    /// <returns>Whether it may be resumed.</returns>
    public static bool IsInterrupted(RedriveJob job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Status == RedriveJobStatus.Running && now.UtcDateTime - job.UpdatedAt >= StaleAfter;
    }

    /// <summary>The selection's parked dead letters that are the job's and not yet re-driven by it: recorded before it started,
    /// with a message id, and not re-driven since it was created (by it or anyone else).</summary>
    private static IQueryable<DeadLetter> Pending(DbContext db, DeadLetterSelection selection, long upTo, long? jobId, DateTime createdAt) =>
        DeadLetterOperations.Parked(db, selection).Where(d => d.Id <= upTo && d.MessageId != ""
            && (d.LastRedriveJobId == null || d.LastRedriveJobId != jobId) && (d.LastRedrivenAt == null || d.LastRedrivenAt < createdAt));

    /// <summary>One transaction: the outbox rows, the dead letters marked re-driven by the job, the job's done count. Null
    /// (rolled back) when the job is no longer running.</summary>
    private static async Task<int?> RedriveAsync(DbContext db, long jobId, List<DeadLetter> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        try
        {
            await DeadLetterOperations.InTransactionAsync(db, async () =>
            {
                count = await DeadLetterOperations.WriteRedrivesAsync(db, rows, now, jobId, cancellationToken).ConfigureAwait(false);
                var at = now.UtcDateTime;
                var added = count;
                if (await Jobs(db, jobId).Where(j => j.Status == RedriveJobStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(j => j.Done, j => j.Done + added)
                        .SetProperty(j => j.UpdatedAt, at), cancellationToken).ConfigureAwait(false) == 0)
                    throw new JobEnded();
            }, cancellationToken).ConfigureAwait(false);
            return count;
        }
        catch (JobEnded)
        {
            return null;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static IQueryable<RedriveJob> Jobs(DbContext db, long jobId) => db.Set<RedriveJob>().Where(j => j.Id == jobId);

    /// <summary>This process, for <see cref="RedriveJob.Runner"/>.</summary>
    private static string Runner => $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Rolls a job's transaction back when an operator cancelled the job meanwhile.</summary>
    private sealed class JobEnded : Exception;
}
