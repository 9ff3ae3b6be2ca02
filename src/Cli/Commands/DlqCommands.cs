using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Spectre.Console;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging dlq list|show|redrive|discard|jobs|keys</c>, on the database table (default) or a broker's dead-letter
/// queue or topic (<c>--source rabbitmq|kafka</c>, see <see cref="DlqBrokerCommands"/>).</summary>
internal static class DlqCommands
{
    public static Command Create(CliRunner run)
    {
        var list = new Command("list", "Dead letters, newest first, or grouped (--group-by failure|type|endpoint).")
            { DlqOptions.GroupBy, DlqOptions.Status, DlqOptions.Limit, DlqOptions.Source, DlqOptions.Queue, DlqOptions.Topic, DlqOptions.CliGroup };
        run.Bind(list, ListAsync);
        var show = new Command("show", "One dead letter: reason, exception, failure site, headers, body.")
            { DlqOptions.MessageId, DlqOptions.Source, DlqOptions.Queue, DlqOptions.Topic, DlqOptions.CliGroup, DlqOptions.Limit };
        run.Bind(show, ShowAsync);
        var redrive = new Command("redrive", "Sends dead letters again to their original destination through the outbox, same message id, as a re-drive job recorded in the database (messaging dlq jobs).")
            { DlqOptions.MessageIds, DlqOptions.Group, DlqOptions.All, DlqOptions.DryRun, DlqOptions.First, DlqOptions.Rate, DlqOptions.Reason, DlqOptions.Source, DlqOptions.Queue, DlqOptions.Topic, DlqOptions.CliGroup, DlqOptions.Limit };
        run.Bind(redrive, (c, ct) => ChangeAsync(c, redrive: true, ct));
        var discard = new Command("discard", "Marks dead letters as needing no handling (database), or removes them from the broker's dead-letter queue or topic.")
            { DlqOptions.MessageIds, DlqOptions.Group, DlqOptions.All, DlqOptions.DryRun, DlqOptions.Source, DlqOptions.Queue, DlqOptions.Topic, DlqOptions.CliGroup, DlqOptions.Limit };
        run.Bind(discard, (c, ct) => ChangeAsync(c, redrive: false, ct));
        return new Command("dlq", "Dead letters: what was parked and why; re-drive or discard them.") { list, show, redrive, discard, DlqJobCommands.Create(run), DlqKeyCommands.Create(run) };
    }

    private static bool FromBroker(CliContext context) => context.Value(DlqOptions.Source) != "database";

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (FromBroker(context)) return await DlqBrokerCommands.ListAsync(context, cancellationToken);
        var status = context.Value(DlqOptions.Status) switch
        {
            "all" => (DeadLetterStatus?)null,
            "redriven" => DeadLetterStatus.Redriven,
            "discarded" => DeadLetterStatus.Discarded,
            "held" => DeadLetterStatus.Held,
            "releasing" => DeadLetterStatus.Releasing,
            _ => DeadLetterStatus.Parked,
        };
        await using var db = context.Database.Open();
        if (context.Value(DlqOptions.GroupBy) is { } by)
            DlqRender.Groups(context, await DeadLetterOperations.GroupAsync(db, DlqOptions.Grouping(by), status, cancellationToken), by, context.Database.Describe());
        else
            DlqRender.List(context, [.. (await DeadLetterOperations.ListAsync(db, status, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken))
                .Select(d => (d, (string?)null))], context.Database.Describe());
        return 0;
    }

    private static async Task<int> ShowAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (FromBroker(context)) return await DlqBrokerCommands.ShowAsync(context, cancellationToken);
        var messageId = context.Value(DlqOptions.MessageId)!;
        await using var db = context.Database.Open();
        var rows = await DeadLetterOperations.FindAsync(db, messageId, cancellationToken);
        if (rows.Count == 0) throw new CliException($"No dead letter with message id {messageId} in {context.Database.Describe()}.");
        foreach (var row in rows) DlqRender.Details(context, row, null);
        return 0;
    }

    /// <summary>The selection the command line asks for: ids, <c>--group</c> or <c>--all</c>, exactly one of them.</summary>
    public static DeadLetterSelection Selection(CliContext context)
    {
        var ids = context.Value(DlqOptions.MessageIds) ?? [];
        var group = context.Value(DlqOptions.Group);
        var all = context.Value(DlqOptions.All);
        if ((ids.Length > 0 ? 1 : 0) + (group is null ? 0 : 1) + (all ? 1 : 0) != 1)
            throw new CliException("Choose the dead letters with message ids, --group <fingerprint> or --all (one of them).");
        return new DeadLetterSelection(ids, group, all);
    }

    private static async Task<int> ChangeAsync(CliContext context, bool redrive, CancellationToken cancellationToken)
    {
        if (FromBroker(context))
        {
            if (context.Value(DlqOptions.First) is not null || context.Value(DlqOptions.Rate) is not null || context.Value(DlqOptions.Reason) is { Length: > 0 })
                throw new CliException("--first, --rate and --reason apply to the dead letters in the database (re-drive jobs), not to a broker's queue or topic.");
            return await DlqBrokerCommands.ChangeAsync(context, redrive, cancellationToken);
        }
        var selection = Selection(context);
        var (first, rate) = redrive ? (context.Value(DlqOptions.First), context.Value(DlqOptions.Rate)) : (null, null);
        if (first is < 1) throw new CliException("--first must be 1 or more.");
        if (rate is <= 0) throw new CliException("--rate must be above 0 (messages per second).");
        await using var db = context.Database.Open();
        var selected = await DeadLetterOperations.SelectAsync(db, selection, cancellationToken);
        var verb = redrive ? "re-drive" : "discard";
        if (selected.Count == 0) throw new CliException($"No parked dead letter matches in {context.Database.Describe()}; nothing to {verb}.");
        var rows = first is { } n ? [.. selected.Take(n)] : selected;
        if (context.Value(DlqOptions.DryRun))
        {
            if (!context.Json)
            {
                Render.Line(context, $"dry run: would {verb} {rows.Count} dead letter(s)");
                DlqRender.Groups(context, DeadLetterOperations.Group(rows, DeadLetterGrouping.Failure), "failure", context.Database.Describe());
            }
            DlqRender.List(context, [.. rows.Select(r => (r, (string?)null))], context.Database.Describe());
            return 0;
        }
        context.Confirm($"{(redrive ? "Re-drive" : "Discard")} {rows.Count} dead letter(s){(rows.Count < selected.Count ? $" (the first of {selected.Count} selected)" : "")}"
            + $"{(rate is { } r ? $" at most {r} per second" : "")} in {context.Database.Describe()}?");
        if (redrive)
        {
            var job = await RedriveJobs.StartAsync(db, selection, DlqJobCommands.Operator, context.Value(DlqOptions.Reason) ?? "", first, rate, context.Time.GetUtcNow(), cancellationToken);
            return await DlqJobCommands.RunAsync(context, db, job, selected.Count, cancellationToken);
        }
        var done = 0;
        await WithProgressAsync(context, $"{verb} dead letters", rows.Count, async report => done = await DeadLetterOperations.DiscardAsync(db, rows, context.Time.GetUtcNow(), report, cancellationToken));
        if (context.Json) Render.Json(context, new { action = verb, count = done, selected = selected.Count, messageIds = rows.Select(r => r.MessageId) });
        else Render.Line(context, $"{done} dead letter(s) discarded");
        return 0;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on a terminal, plainly for <c>--json</c>.</summary>
    public static async Task WithProgressAsync(CliContext context, string what, int total, Func<Action<int>, Task> work)
    {
        if (context.Json)
        {
            await work(_ => { });
            return;
        }
        await context.Console.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask(what, maxValue: Math.Max(1, total));
            await work(n => task.Value = n);
            task.Value = task.MaxValue;
        });
    }
}
