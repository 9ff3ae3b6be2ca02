using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging dlq jobs [resume|cancel]</c>: the re-drive jobs recorded in the database, and running one.</summary>
internal static class DlqJobCommands
{
    /// <summary>Who runs the tool, for <see cref="RedriveJob.RequestedBy"/>: <c>user@host</c>.</summary>
    public static string Operator => $"{Environment.UserName}@{Environment.MachineName}";

    public static Command Create(CliRunner run)
    {
        var resume = new Command("resume", "Goes on with an interrupted re-drive job (its process died); each dead letter is still re-driven once.") { DlqOptions.JobId };
        run.Bind(resume, ResumeAsync);
        var cancel = new Command("cancel", "Stops a running re-drive job before its next transaction; what it re-drove stays re-driven.") { DlqOptions.JobId };
        run.Bind(cancel, CancelAsync);
        var jobs = new Command("jobs", "Re-drive jobs, newest first: who, why, which dead letters, how far.") { DlqOptions.Limit, resume, cancel };
        run.Bind(jobs, ListAsync);
        return jobs;
    }

    /// <summary>Runs <paramref name="job"/> with a progress bar and says where it ended; exit code 0 unless interrupted.</summary>
    public static async Task<int> RunAsync(CliContext context, DbContext db, RedriveJob job, int? selected, CancellationToken cancellationToken)
    {
        var done = job.Done;
        RedriveJob? ended = null;
        try
        {
            await DlqCommands.WithProgressAsync(context, $"re-drive job {job.Id}", job.Total, async report =>
                ended = await RedriveJobs.RunAsync(db, job.Id, TimeProvider.System, report, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"Re-drive job {job.Id} interrupted; what it re-drove stays re-driven. Go on with: messaging dlq jobs resume {job.Id} (after {RedriveJobs.StaleAfter.TotalSeconds:0} s)");
        }
        var final = ended!;
        var count = final.Done - done;
        if (context.Json)
        {
            Render.Json(context, new { action = "re-drive", job = final.Id, status = final.Status.ToString(), count, done = final.Done, total = final.Total,
                selected, messageIds = await RedrivenByAsync(db, final.Id, cancellationToken) });
            return 0;
        }
        Render.Line(context, final.Status == RedriveJobStatus.Cancelled
            ? $"re-drive job {final.Id} was cancelled after {final.Done} of {final.Total} dead letter(s); the rest stay parked"
            : $"re-drive job {final.Id}: {count} dead letter(s) re-driven ({final.Done} of {final.Total} in all): outbox rows written with the same message ids; the application's dispatcher publishes them"
              + (selected is { } all && final.Total < all ? $". {all - final.Total} more of the selection stay parked: check these (messaging trace <message-id>), then run again without --first" : ""));
        return 0;
    }

    private static Task<List<string>> RedrivenByAsync(DbContext db, long jobId, CancellationToken cancellationToken) =>
        db.Set<DeadLetter>().AsNoTracking().Where(d => d.LastRedriveJobId == jobId).OrderBy(d => d.Id).Select(d => d.MessageId).ToListAsync(cancellationToken);

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var jobs = await RedriveJobs.ListAsync(db, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken);
        var now = context.Time.GetUtcNow();
        string State(RedriveJob j) => RedriveJobs.IsInterrupted(j, now) ? "Interrupted" : j.Status.ToString();
        if (context.Json)
        {
            Render.Json(context, jobs.Select(j => new
            {
                job = j.Id, status = State(j), j.RequestedBy, j.Reason, selection = Describe(j), j.FirstCount, j.RatePerSecond, j.Done, j.Total,
                j.CreatedAt, j.UpdatedAt, j.FinishedAt, j.Runner,
            }));
            return 0;
        }
        Render.Line(context, $"re-drive jobs in {context.Database.Describe()}");
        var table = Render.Table("job", "status", "done", "by", "reason", "selection", "limits", "started", "last progress");
        foreach (var j in jobs)
            Render.Row(table, j.Id, State(j), $"{j.Done}/{j.Total}", j.RequestedBy, Render.Shorten(j.Reason.Length == 0 ? "(none given)" : j.Reason, 40),
                Render.Shorten(Describe(j), 40), Limits(j), j.CreatedAt, j.UpdatedAt);
        context.Console.Write(table);
        Render.Line(context, $"{jobs.Count} job(s)" + (jobs.Any(j => RedriveJobs.IsInterrupted(j, now)) ? "; resume an interrupted one with: messaging dlq jobs resume <job>" : ""));
        return 0;
    }

    private static async Task<int> ResumeAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var job = await Existing(context, db, cancellationToken);
        if (job.Status != RedriveJobStatus.Running) throw new CliException($"Re-drive job {job.Id} is {job.Status}; only an interrupted one can be resumed.");
        var now = context.Time.GetUtcNow();
        if (!RedriveJobs.IsInterrupted(job, now))
            throw new CliException($"Re-drive job {job.Id} made progress {Render.Age(now.UtcDateTime - job.UpdatedAt)} ago (runner {job.Runner}); if that process is gone, resume once {RedriveJobs.StaleAfter.TotalSeconds:0} s have passed.");
        context.Confirm($"Resume re-drive job {job.Id} ({job.Done} of {job.Total} done, {Describe(job)}) in {context.Database.Describe()}?");
        return await RunAsync(context, db, job, null, cancellationToken);
    }

    private static async Task<int> CancelAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var job = await Existing(context, db, cancellationToken);
        if (!await RedriveJobs.CancelAsync(db, job.Id, context.Time.GetUtcNow(), cancellationToken))
            throw new CliException($"Re-drive job {job.Id} is {job.Status}; nothing to cancel.");
        if (context.Json) Render.Json(context, new { action = "cancel", job = job.Id });
        else Render.Line(context, $"re-drive job {job.Id} cancelled: it stops before its next transaction; {job.Done} of {job.Total} re-driven so far stay re-driven");
        return 0;
    }

    private static async Task<RedriveJob> Existing(CliContext context, DbContext db, CancellationToken cancellationToken)
    {
        var id = context.Value(DlqOptions.JobId);
        return await RedriveJobs.FindAsync(db, id, cancellationToken) ?? throw new CliException($"No re-drive job {id} in {context.Database.Describe()}.");
    }

    private static string Describe(RedriveJob job) =>
        (job.Fingerprint is { } group ? $"group {group}" : job.AllParked ? "all parked" : $"message ids {job.MessageIds}")
        + (job.Endpoint is { } endpoint ? $" of {endpoint}" : "");

    private static string Limits(RedriveJob job) =>
        string.Join(", ", new[] { job.FirstCount is { } n ? $"first {n}" : null, job.RatePerSecond is { } r ? $"{r}/s" : null }.OfType<string>()) is { Length: > 0 } text ? text : "-";
}
