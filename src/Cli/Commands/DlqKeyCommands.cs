using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging dlq keys</c>: the partition keys key-ordered dead-lettering holds, with their head and count.</summary>
internal static class DlqKeyCommands
{
    public static Command Create(CliRunner run)
    {
        var keys = new Command("keys", "Partition keys held behind a dead letter (Messaging:Outbox:KeyOrderedDeadLetters), of every endpoint or --endpoint: the head to re-drive or discard, and how many messages wait behind it.")
            { DlqOptions.Limit };
        run.Bind(keys, ListAsync);
        return keys;
    }

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        // Every endpoint's keys, unless --endpoint names one.
        var keys = await ParkedKeyOperations.ListAsync(db, context.Value(CliOptions.Endpoint), Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken);
        if (context.Json)
        {
            Render.Json(context, keys.Select(k => new { k.Endpoint, k.PartitionKey, head = DlqRender.Summary(k.Head), k.Behind }));
            return 0;
        }
        Render.Line(context, $"held partition keys in {context.Database.Describe()}");
        var table = Render.Table("endpoint", "key", "head", "status", "failure", "since", "held behind");
        foreach (var k in keys)
            Render.Row(table, k.Endpoint, k.PartitionKey, k.Head.MessageId, k.Head.Status, Render.Shorten(k.Head.ExceptionType ?? k.Head.Reason, 40),
                k.Head.LastFailedAt, k.Behind);
        context.Console.Write(table);
        Render.Line(context, keys.Count == 0 ? "no key is held"
            : $"{keys.Count} key(s) held; a Parked head is released by: messaging dlq redrive <head> (or discard), after the cause is fixed");
        return 0;
    }
}
