using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging inbox stats|forget</c>.</summary>
internal static class InboxCommands
{
    private static readonly Option<string> MessageId = new("--message-id") { Description = "The message id to forget.", Required = true };
    private static readonly Option<string?> Handler = new("--handler") { Description = "The handler's stable name (default: every handler)." };

    public static Command Create(CliRunner run)
    {
        var stats = new Command("stats", "Inbox rows per handler, oldest and newest, and messages with counted redeliveries.");
        run.Bind(stats, StatsAsync);
        var forget = new Command("forget", "Deletes a message's inbox row, so its next delivery runs the handler again (on purpose).") { MessageId, Handler };
        run.Bind(forget, ForgetAsync);
        return new Command("inbox", "The inbox table: which handler handled which message id.") { stats, forget };
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
}
