using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Messaging.Transport;
using Spectre.Console;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging outbox stats|list|retry|retarget|purge-sent</c>.</summary>
internal static class OutboxCommands
{
    private static readonly Option<OutboxStatus?> Status = new("--status") { Description = "Pending | Sent | Failed." };
    private static readonly Option<string?> Destination = new("--destination") { Description = "Only rows to this exchange or topic." };
    private static readonly Option<int> Limit = new("--limit") { Description = "Most rows shown (newest first).", DefaultValueFactory = _ => 20 };
    private static readonly Argument<long[]> Ids = new("id") { Description = "Outbox row ids (column id).", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<bool> Failed = new("--failed") { Description = "Every Failed row." };
    private static readonly Option<string> From = new("--from") { Description = "The transport the Pending rows name now (column transport).", Required = true };
    private static readonly Option<string> To = new("--to") { Description = "The transport to send them through instead: RabbitMq, Kafka.", Required = true };
    private static readonly Option<string> OlderThan = new("--older-than") { Description = "Sent before this long ago: 90s, 30m, 12h, 7d.", Required = true };

    public static Command Create(CliRunner run)
    {
        var stats = new Command("stats", "Rows by status and transport, and the age of the oldest Pending row.");
        run.Bind(stats, StatsAsync);
        var list = new Command("list", "The newest rows, with their status, attempts and last error.") { Status, Destination, Limit };
        run.Bind(list, ListAsync);
        var retry = new Command("retry", "Failed rows back to Pending with attempts at 0 and the same message id.") { Ids, Failed };
        run.Bind(retry, RetryAsync);
        var retarget = new Command("retarget", "Pending rows of a transport no host uses any more, moved to another one (same message ids).") { From, To };
        run.Bind(retarget, RetargetAsync);
        var purge = new Command("purge-sent", "Deletes Sent rows sent before --older-than (Pending and Failed rows are never deleted).") { OlderThan };
        run.Bind(purge, PurgeAsync);
        return new Command("outbox", "The outbox table: what waits, what went, what failed.") { stats, list, retry, retarget, purge };
    }

    private static async Task<int> StatsAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var (counts, oldest) = await OutboxOperations.StatsAsync(db, context.PrimaryTransport, cancellationToken);
        var age = oldest is { } created ? context.Time.GetUtcNow().UtcDateTime - created : (TimeSpan?)null;
        if (context.Json)
        {
            Render.Json(context, new
            {
                database = context.Database.Describe(),
                rows = counts.Select(c => new { status = c.Status, transport = c.Transport, count = c.Count }),
                oldestPendingAgeSeconds = age is { } a ? Math.Round(a.TotalSeconds, 1) : (double?)null,
            });
            return 0;
        }
        Render.Line(context, $"outbox of {context.Database.Describe()}");
        var table = Render.Table("status", "transport", "rows");
        foreach (var (status, transport, count) in counts) Render.Row(table, status, transport, count);
        context.Console.Write(table);
        Render.Line(context, age is { } pendingAge ? $"oldest Pending row: {Render.Age(pendingAge)} old (created {Render.Cell(oldest)})" : "no Pending row");
        return 0;
    }

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var db = context.Database.Open();
        var rows = await OutboxOperations.ListAsync(db, context.Value(Status), context.Value(Destination), Math.Max(1, context.Value(Limit)), cancellationToken);
        if (context.Json)
        {
            Render.Json(context, rows.Select(r => new
            {
                r.Id, r.MessageId, r.MessageType, r.Destination, r.PartitionKey, r.Transport, status = r.Status.ToString(), r.Attempts,
                r.LastError, r.CreatedAt, r.SentAt, r.NotBefore,
            }));
            return 0;
        }
        var table = Render.Table("id", "message id", "type", "destination", "key", "transport", "status", "attempts", "created", "last error");
        foreach (var r in rows)
            Render.Row(table, r.Id, r.MessageId, r.MessageType, r.Destination, r.PartitionKey, MessagingTransports.NameOrPrimary(r.Transport, context.PrimaryTransport) ?? "(none)", r.Status, r.Attempts, r.CreatedAt,
                Render.Shorten(r.LastError, 60));
        context.Console.Write(table);
        Render.Line(context, $"{rows.Count} row(s)");
        return 0;
    }

    private static async Task<int> RetryAsync(CliContext context, CancellationToken cancellationToken)
    {
        var ids = context.Value(Ids) ?? [];
        var all = context.Value(Failed);
        if (ids.Length == 0 == !all) throw new CliException("outbox retry: give row ids or --failed (not both).");
        await using var db = context.Database.Open();
        context.Confirm(all ? $"Put every Failed outbox row of {context.Database.Describe()} back to Pending?" : $"Put {ids.Length} Failed outbox row(s) back to Pending?");
        var changed = await OutboxOperations.RetryAsync(db, all ? null : ids, cancellationToken);
        if (context.Json) Render.Json(context, new { retried = changed });
        else Render.Line(context, $"{changed} Failed row(s) back to Pending (attempts 0, same message id); the dispatcher sends them on its next round");
        return 0;
    }

    private static async Task<int> RetargetAsync(CliContext context, CancellationToken cancellationToken)
    {
        string from = context.Value(From)!, to = context.Value(To)!;
        if (string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) throw new CliException("outbox retarget: --from and --to name the same transport.");
        await using var db = context.Database.Open();
        context.Confirm($"Send every Pending outbox row of transport {from} through {to} instead ({context.Database.Describe()})?");
        var changed = await OutboxOperations.RetargetAsync(db, from, to, cancellationToken);
        if (context.Json) Render.Json(context, new { retargeted = changed, from, to });
        else Render.Line(context, $"{changed} Pending row(s) of {from} now go through {to} (same message ids); a dispatcher that uses {to} sends them");
        return 0;
    }

    private static async Task<int> PurgeAsync(CliContext context, CancellationToken cancellationToken)
    {
        var olderThan = Durations.Parse(context.Value(OlderThan)!, "--older-than");
        var cutoff = context.Time.GetUtcNow().UtcDateTime - olderThan;
        await using var db = context.Database.Open();
        context.Confirm($"Delete Sent outbox rows sent before {Render.Cell(cutoff)} from {context.Database.Describe()}?");
        var deleted = await Render.CountingAsync(context, "deleting Sent rows", n => $"deleted {n} Sent row(s)",
            progress => OutboxOperations.PurgeSentAsync(db, cutoff, 1_000, progress, cancellationToken));
        if (context.Json) Render.Json(context, new { deleted });
        else Render.Line(context, $"{deleted} Sent row(s) deleted");
        return 0;
    }
}
