using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging inbox stats|forget|purge</c>.</summary>
internal static class InboxCommands
{
    private static readonly Option<string> MessageId = new("--message-id") { Description = "The message id to forget.", Required = true };
    private static readonly Option<string?> Handler = new("--handler") { Description = "The handler's stable name (default: every handler)." };
    private static readonly Option<string> OlderThan = new("--older-than") { Description = "Processed before this long ago: 12h, 30d.", Required = true };

    public static Command Create(CliRunner run)
    {
        var stats = new Command("stats", "Inbox rows per handler, oldest and newest, and messages with counted redeliveries.");
        run.Bind(stats, StatsAsync);
        var forget = new Command("forget", "Deletes a message's inbox row, so its next delivery runs the handler again (on purpose).") { MessageId, Handler };
        run.Bind(forget, ForgetAsync);
        var purge = new Command("purge", "Deletes inbox rows processed before --older-than, in batches (never those of a message with a Parked, Held or Releasing dead letter).") { OlderThan };
        run.Bind(purge, PurgeAsync);
        return new Command("inbox", "The inbox table: which handler handled which message id.") { stats, forget, purge };
    }

    private static async Task<int> StatsAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var (handlers, redeliveries) = await InboxOperations.StatsAsync(db, cancellationToken);
        if (context.Json)
        {
            Render.Json(context, new { database = context.Database.Describe(), handlers = handlers.Select(h => new { handler = h.Handler, rows = h.Count, oldest = h.Oldest, newest = h.Newest }), redeliveries });
            return 0;
        }
        Render.Line(context, $"inbox of {context.Database.Describe()}");
        var table = Render.Table("handler", "rows", "oldest", "newest");
        foreach (var (handler, count, oldest, newest) in handlers) Render.Row(table, handler, count, oldest, newest);
        context.Console.Write(table);
        Render.Line(context, $"{redeliveries} message(s) with counted redeliveries (poison detection)");
        return 0;
    }

    private static async Task<int> ForgetAsync(CliContext context, CancellationToken cancellationToken)
    {
        var messageId = context.Value(MessageId)!;
        var handler = context.Value(Handler);
        await using var db = context.Database.Open();
        context.Confirm($"Forget message {messageId} for {handler ?? "every handler"}? Its next delivery runs the handler again.");
        var deleted = await InboxOperations.ForgetAsync(db, messageId, handler, cancellationToken);
        if (context.Json) Render.Json(context, new { forgotten = deleted });
        else Render.Line(context, $"{deleted} inbox row(s) deleted for message {messageId}");
        return 0;
    }

    private static async Task<int> PurgeAsync(CliContext context, CancellationToken cancellationToken)
    {
        var cutoff = context.Time.GetUtcNow().UtcDateTime - Durations.Parse(context.Value(OlderThan)!, "--older-than");
        await using var db = context.Database.Open();
        context.Confirm($"Delete inbox rows processed before {Render.Cell(cutoff)} from {context.Database.Describe()}? A copy of one of those "
            + "messages that still arrives (a broker redelivery, a Kafka replay, a producer's retry) would run its handler again.");
        var deleted = await Render.CountingAsync(context, "deleting inbox rows", n => $"deleted {n} inbox row(s)",
            progress => InboxOperations.PurgeAsync(db, cutoff, 1_000, progress, cancellationToken));
        if (context.Json) Render.Json(context, new { deleted });
        else Render.Line(context, $"{deleted} inbox row(s) processed before {Render.Cell(cutoff)} deleted");
        return 0;
    }
}
