using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Messaging.Dashboard.Pages;

/// <summary>Re-drive and discard: a confirmation page that shows what the selection holds now (count and failure groups),
/// then a POST with the antiforgery token that runs the same operation as <c>messaging dlq redrive|discard</c> (a re-drive
/// is a re-drive job recorded with the user's name and reason). Every change is logged with the user's name.</summary>
internal sealed class DashboardChanges<TContext>(string prefix, ILogger logger) where TContext : DbContext
{
    /// <summary>The confirmation: GET with <c>group</c> or <c>id</c> in the query, or POST (antiforgery) from a group page's
    /// selection, with one <c>id</c> field per chosen message.</summary>
    public async Task<IResult> ConfirmAsync(HttpContext context)
    {
        var fields = context.Request.Query;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (await RejectedAsync(context) is { } rejected) return rejected;
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            fields = new Microsoft.AspNetCore.Http.QueryCollection(form.ToDictionary(f => f.Key, f => f.Value));
        }
        var (action, selection) = Read(fields["action"], fields["group"], fields["id"]);
        if (selection is null) return Results.BadRequest("Choose a group (group=<fingerprint>) or messages (id=<message id>, one or more), and action=redrive|discard.");
        var db = context.RequestServices.GetRequiredService<TContext>();
        var rows = await DeadLetterOperations.SelectAsync(db, selection, context.RequestAborted);
        var page = new Html(prefix);
        var verb = action == "redrive" ? "Re-drive" : "Discard";
        if (rows.Count == 0) return DashboardPages<TContext>.Page(page.Paragraph("Nothing parked matches: nothing to change."), $"{verb}: nothing to do");
        page.Paragraph(action == "redrive"
            ? $"{rows.Count} parked dead letter(s) go back to their original destination through the outbox, with their message ids, as one re-drive job."
            : $"{rows.Count} parked dead letter(s) will be marked Discarded (kept in the table, never handled).");
        page.Table(["group", "failure", "count"], DeadLetterOperations.Group(rows, DeadLetterGrouping.Failure).Select(g => new object?[] { g.Key, g.Description, g.Count }));
        page.Raw($"""
            {page.PostForm(context, "/" + action)}
            <input type="hidden" name="group" value="{Html.Text(selection.Fingerprint ?? "")}">{string.Concat(selection.MessageIds.Select(id => $"<input type=\"hidden\" name=\"id\" value=\"{Html.Text(id)}\">"))}
            <input type="hidden" name="expected" value="{rows.Count}">
            <p><label>Reason (recorded) <input type="text" name="reason" required></label></p>
            <button type="submit">{verb} {rows.Count} dead letter(s)</button>
            </form>
            """);
        return DashboardPages<TContext>.Page(page, $"{verb} {rows.Count} dead letter(s)?");
    }

    public async Task<IResult> ChangeAsync(HttpContext context, string action)
    {
        if (await RejectedAsync(context) is { } rejected) return rejected;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (_, selection) = Read(action, form["group"], form["id"]);
        if (selection is null) return Results.BadRequest("Choose a group or a message.");
        var reason = form["reason"].FirstOrDefault()?.Trim() ?? "";
        var user = context.User.Identity?.Name ?? "anonymous";
        var db = context.RequestServices.GetRequiredService<TContext>();
        var rows = await DeadLetterOperations.SelectAsync(db, selection, context.RequestAborted);
        var what = selection.Fingerprint is { } group ? $"group {group}"
            : selection.MessageIds.Count == 1 ? $"message {selection.MessageIds[0]}" : $"{selection.MessageIds.Count} chosen messages";
        var page = new Html(prefix);
        if (action == "redrive")
        {
            var time = DashboardPages<TContext>.Clock(context);
            var job = await RedriveJobs.StartAsync(db, selection, $"{user} (dashboard)", reason, null, null, time.GetUtcNow(), context.RequestAborted);
            var done = await RedriveJobs.RunAsync(db, job.Id, time, null, context.RequestAborted);
            DashboardLog.Redriven(logger, user, done.Done, what, job.Id, reason);
            page.Paragraph($"Re-drive job {job.Id}: {done.Done} dead letter(s) re-driven: written to the outbox with their message ids; the dispatcher publishes them and the handlers apply them.")
                .Raw($"<p>Follow them (each page says whether it was applied): {string.Join(", ", rows.Take(10).Select(r => page.Link($"/dead-letters/{Uri.EscapeDataString(r.MessageId)}", r.MessageId)))}{(rows.Count > 10 ? ", …" : "")}</p>");
        }
        else
        {
            var done = await DeadLetterOperations.DiscardAsync(db, rows, DashboardPages<TContext>.Clock(context).GetUtcNow(), null, context.RequestAborted);
            DashboardLog.Discarded(logger, user, done, what, reason);
            page.Paragraph($"{done} dead letter(s) discarded.");
        }
        page.Raw($"<p>{page.Link("/", "Back to the overview")}</p>");
        return DashboardPages<TContext>.Page(page, action == "redrive" ? "Re-driven" : "Discarded");
    }

    /// <summary>The confirmation of putting Failed outbox rows back to Pending: every Failed row, or the one of <c>id</c>.</summary>
    public async Task<IResult> ConfirmRetryAsync(HttpContext context)
    {
        if (!TryReadRowId(context.Request.Query["id"], out var id)) return Results.BadRequest("id must be an outbox row id (the id column).");
        var db = context.RequestServices.GetRequiredService<TContext>();
        var failed = db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Failed);
        if (id is { } one) failed = failed.Where(m => m.Id == one);
        var count = await failed.CountAsync(context.RequestAborted);
        var page = new Html(prefix);
        if (count == 0) return DashboardPages<TContext>.Page(page.Paragraph("No Failed row matches: nothing to retry."), "Retry: nothing to do");
        page.Paragraph($"{count} Failed outbox row(s) go back to Pending with their attempts at 0 and the same message id; the dispatcher publishes them on its next round.");
        page.Raw($"""
            {page.PostForm(context, "/outbox/retry")}
            <input type="hidden" name="id" value="{Html.Text(id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "")}">
            <button type="submit">Retry {count} Failed row(s)</button>
            </form>
            """);
        return DashboardPages<TContext>.Page(page, $"Retry {count} Failed outbox row(s)?");
    }

    /// <summary>Puts the Failed rows back to Pending (<see cref="OutboxOperations.RetryAsync"/>, as <c>messaging outbox retry</c>).</summary>
    public async Task<IResult> RetryAsync(HttpContext context)
    {
        if (await RejectedAsync(context) is { } rejected) return rejected;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!TryReadRowId(form["id"], out var id)) return Results.BadRequest("id must be an outbox row id (the id column).");
        var user = context.User.Identity?.Name ?? "anonymous";
        var db = context.RequestServices.GetRequiredService<TContext>();
        var done = await OutboxOperations.RetryAsync(db, id is { } one ? [one] : null, context.RequestAborted);
        DashboardLog.Retried(logger, user, done, id is { } row ? $"row {row}" : "every Failed row");
        var page = new Html(prefix).Paragraph($"{done} Failed outbox row(s) back to Pending.");
        page.Raw($"<p>{page.Link("/", "Back to the overview")}</p>");
        return DashboardPages<TContext>.Page(page, "Retried");
    }

    /// <summary>Null when the request is a form POST with a valid antiforgery token; else the answer to give (400).</summary>
    private static async Task<IResult?> RejectedAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType) return Results.BadRequest("A form POST is expected.");
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return Results.BadRequest("The form's antiforgery token is missing or invalid: open the confirmation page again.");
        }
    }

    private static bool TryReadRowId(string? text, out long? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)) return false;
        id = value;
        return true;
    }

    /// <summary>The selection a request names: a failure group or message ids (one of the two), and its action.</summary>
    private static (string Action, DeadLetterSelection? Selection) Read(string? action, string? group, StringValues ids)
    {
        if (action is not ("redrive" or "discard")) return ("", null);
        var hasGroup = !string.IsNullOrEmpty(group);
        string[] chosen = [.. ids.Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal)!];
        if (hasGroup == chosen.Length > 0) return (action, null);
        return (action, hasGroup ? new DeadLetterSelection([], group, false) : new DeadLetterSelection(chosen, null, false));
    }
}

internal static partial class DashboardLog
{
    [LoggerMessage(5000, LogLevel.Warning, "Dashboard: {User} re-drove {Count} dead letter(s) of {What} as re-drive job {Job}: {Reason}")]
    public static partial void Redriven(ILogger logger, string user, int count, string what, long job, string reason);

    [LoggerMessage(5001, LogLevel.Warning, "Dashboard: {User} discarded {Count} dead letter(s) of {What}: {Reason}")]
    public static partial void Discarded(ILogger logger, string user, int count, string what, string reason);

    [LoggerMessage(5002, LogLevel.Warning, "Dashboard: {User} put {Count} Failed outbox row(s) back to Pending ({What})")]
    public static partial void Retried(ILogger logger, string user, int count, string what);
}
