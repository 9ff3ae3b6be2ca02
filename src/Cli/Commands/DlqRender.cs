using System.Text;
using Messaging.Cli.Output;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Spectre.Console;

namespace Messaging.Cli.Commands;

/// <summary>How dead letters look on the terminal and in JSON.</summary>
internal static class DlqRender
{
    public static object Summary(DeadLetter d, string? position = null) => new
    {
        d.MessageId, d.MessageType, d.Endpoint, handler = d.HandlerName, d.Transport, destination = d.Destination, d.Reason, d.ExceptionType,
        d.FailureSite, d.Fingerprint, status = d.Status.ToString(), d.Failures, d.RedriveCount, d.FirstFailedAt, d.LastFailedAt, position,
    };

    public static void List(CliContext context, IReadOnlyList<(DeadLetter Row, string? Position)> rows, string where)
    {
        if (context.Json)
        {
            Render.Json(context, rows.Select(r => Summary(r.Row, r.Position)));
            return;
        }
        Render.Line(context, $"dead letters in {where}");
        var table = Render.Table("message id", "type", "failure", "fingerprint", "status", "failures", "re-drives", "last failed", "at");
        foreach (var (d, position) in rows)
            Render.Row(table, d.MessageId, d.MessageType, Render.Shorten(ShortName(d.ExceptionType) ?? d.Reason, 40), d.Fingerprint, d.Status, d.Failures,
                d.RedriveCount, d.LastFailedAt, position ?? d.Source);
        context.Console.Write(table);
        Render.Line(context, $"{rows.Count} dead letter(s)");
    }

    public static void Groups(CliContext context, IReadOnlyList<DeadLetterGroup> groups, string by, string where)
    {
        if (context.Json)
        {
            Render.Json(context, groups.Select(g => new { by, key = g.Key, g.Description, g.Count, g.FirstFailedAt, g.LastFailedAt }));
            return;
        }
        Render.Line(context, $"dead letters in {where}, by {by}");
        var table = Render.Table(by == "failure" ? "fingerprint" : by, "what", "count", "first failed", "last failed");
        foreach (var g in groups) Render.Row(table, g.Key, Render.Shorten(g.Description, 90), g.Count, g.FirstFailedAt, g.LastFailedAt);
        context.Console.Write(table);
    }

    public static void Details(CliContext context, DeadLetter d, string? position)
    {
        var headers = d.ReadHeaders();
        var body = BodyText(d.Body, out var encoding);
        if (context.Json)
        {
            Render.Json(context, new { summary = Summary(d, position), d.Source, d.DeadLetterDestination, d.ExceptionMessage, d.Attempts, d.PartitionKey,
                d.CorrelationId, d.CausationId, d.ContentType, headers, bodyEncoding = encoding, body, d.LastRedrivenAt });
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        void Field(string name, object? value) => grid.AddRow(new Text(name), new Text(Render.Cell(value)));
        Field("message id", d.MessageId);
        Field("type", d.MessageType);
        Field("endpoint / handler", $"{d.Endpoint} / {d.HandlerName ?? "-"}");
        Field("transport", d.Transport);
        Field("destination", d.Destination);
        Field("consumed from", position is null ? d.Source : $"{d.Source} (now {position} of {d.DeadLetterDestination})");
        Field("dead-letter copy", d.DeadLetterDestination);
        Field("reason", d.Reason);
        Field("exception", d.ExceptionType is null ? null : $"{d.ExceptionType}: {d.ExceptionMessage}");
        Field("failure site", d.FailureSite);
        Field("fingerprint", d.Fingerprint);
        Field("attempts", d.Attempts);
        Field("status", $"{d.Status}, {d.Failures} failure(s), {d.RedriveCount} re-drive(s)");
        Field("first / last failed", $"{Render.Cell(d.FirstFailedAt)} / {Render.Cell(d.LastFailedAt)}");
        Field("partition key", d.PartitionKey);
        Field("correlation id", d.CorrelationId);
        Field("headers", headers.Count == 0 ? null : string.Join(", ", headers.Select(h => $"{h.Key}={h.Value}")));
        Field($"body ({d.Body.Length} bytes, {encoding})", body);
        context.Console.Write(grid);
    }

    private static string? ShortName(string? type) => type?[(type.LastIndexOf('.') + 1)..];

    /// <summary>The body as UTF-8 text when it is, else base64.</summary>
    private static string BodyText(byte[] body, out string encoding)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            encoding = "utf-8";
            return Encoding.UTF8.GetString(body);
        }
        encoding = "base64";
        return Convert.ToBase64String(body);
    }
}
