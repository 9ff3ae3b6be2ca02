using Messaging.Dashboard.Activity;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Messaging.Transport;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Messaging.Dashboard.Pages;

/// <summary>The read-only pages, each from the public operations of <c>Messaging.Outbox.EfCore</c> (the same the
/// <c>messaging</c> tool runs) on the request's <typeparamref name="TContext"/>.</summary>
internal sealed class DashboardPages<TContext>(string prefix, DashboardOptions options) where TContext : DbContext
{
    private static readonly string[] SecretWords = ["authorization", "password", "secret", "token", "api-key", "apikey", "cookie"];

    public async Task<IResult> OverviewAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var ct = context.RequestAborted;
        var page = new Html(prefix);
        var activity = context.RequestServices.GetService<MessagingActivity>();
        if (activity is not null) ActivityPage.Transports(page, activity, Clock(context).GetUtcNow());
        if (context.RequestServices.GetService<HealthCheckService>() is { } health)
        {
            var report = await health.CheckHealthAsync(r => r.Tags.Contains(MessagingBuilder.HealthTag), ct);
            page.Heading("Health").Table(["check", "status", "description", "data"], report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => new object?[] { e.Key, Status(e.Value.Status), e.Value.Description, string.Join(", ", e.Value.Data.Select(d => $"{d.Key}={Html.Plain(d.Value)}")) }));
        }
        if (activity is not null) ActivityPage.Charts(page, activity);
        var primary = context.RequestServices.GetService<MessagingTransports>()?.PrimaryName;
        var outbox = await OutboxOperations.BacklogAsync(db, primary, ct); // Sent rows: the outbox page (counting them scans the table)
        var failed = outbox.Counts.Where(c => c.Status == nameof(OutboxStatus.Failed)).Sum(c => c.Count);
        page.Heading("Outbox").Paragraph(outbox.OldestPending is { } oldest
                ? $"oldest Pending row created {Html.Plain(oldest)}, {Html.Plain(Clock(context).GetUtcNow().UtcDateTime - oldest)} ago" : "nothing Pending", "muted")
            .Table(["status", "transport", "rows"], outbox.Counts.Select(c => new object?[] { c.Status, c.Transport, c.Count }))
            .Raw($"<p class=\"muted\">Rows still to send (Pending) or given up (Failed); sent rows: {page.Link("/outbox?status=Sent", "the outbox page")}</p>");
        if (failed > 0)
            page.Raw($"<p class=\"bad\">{Html.Text(failed)} Failed row(s): {page.Link("/outbox?status=Failed", "see them")}"
                + (await MayChangeAsync(context) ? $" or {page.Link("/confirm-retry", "retry every Failed row…")}" : "") + "</p>");
        await DeadLetterGroupsAsync(page, db, ct);
        // Held rows through the (status, fingerprint) index; listing the keys reads every key-ordered row (the keys page).
        var held = await db.Set<DeadLetter>().AsNoTracking().CountAsync(d => d.Status == DeadLetterStatus.Held, ct);
        page.Heading("Held keys").Raw(held == 0 ? "<p class=\"muted\">no message is held behind a dead letter of its key</p>"
            : $"<p class=\"bad\">{held} message(s) held behind a dead letter of their key: {page.Link("/keys", "held keys")}</p>");
        return Page(page, "Overview");
    }

    public async Task<IResult> InboxAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var stats = await InboxOperations.StatsAsync(db, context.RequestAborted);
        var page = new Html(prefix);
        page.Paragraph($"One row per message and handler that applied it (kept until Messaging:Outbox:InboxRetentionHours); {stats.Redeliveries} message(s) with counted redeliveries (poison detection).", "muted")
            .Table(["handler", "messages applied", "oldest", "newest"], stats.Handlers.Select(h => new object?[] { h.Handler, h.Count, h.Oldest, h.Newest }));
        return Page(page, "Inbox per handler");
    }

    public Task<IResult> GuaranteesAsync(HttpContext context)
    {
        var page = new Html(prefix);
        var endpoints = context.RequestServices.GetService<StartupGuarantees>()?.Endpoints ?? [];
        if (endpoints.Count == 0) page.Paragraph("No start-up report: messaging is not registered in this application, or its host has not started.", "muted");
        foreach (var endpoint in endpoints)
            page.Heading($"Endpoint {endpoint.Endpoint} on {endpoint.Transport} ({(endpoint.Consumes ? "consumes" : "publishes only")})").List(endpoint.Statements);
        return Task.FromResult(Page(page, "Start-up guarantees"));
    }

    public async Task<IResult> DeadLettersAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var ct = context.RequestAborted;
        var group = context.Request.Query["group"].FirstOrDefault();
        var page = new Html(prefix);
        if (group is null)
        {
            await DeadLetterGroupsAsync(page, db, ct);
            return Page(page, "Dead letters");
        }
        var selection = new DeadLetterSelection([], group, false);
        var count = await DeadLetterOperations.CountAsync(db, selection, ct);
        var rows = await DeadLetterOperations.SelectAsync(db, selection, options.PageSize, ct);
        page.Paragraph(count > rows.Count ? $"{count} parked; the first {rows.Count} below." : $"{count} parked.", "muted");
        var mayChange = await MayChangeAsync(context) && rows.Count > 0;
        if (mayChange)
        {
            page.Raw($"<p>{page.Link($"/confirm?action=redrive&group={Uri.EscapeDataString(group)}", "Re-drive this group…")} &nbsp; "
                + $"{page.Link($"/confirm?action=discard&group={Uri.EscapeDataString(group)}", "Discard this group…")}</p>");
            page.Raw(page.PostForm(context, "/confirm"));
        }
        string[] columns = ["message id", "type", "endpoint", "handler", "failure", "failures", "last failed"];
        page.Table(mayChange ? ["choose", .. columns] : columns, rows.Select(d =>
        {
            object?[] cells = [new HtmlCell(page.Link($"/dead-letters/{Uri.EscapeDataString(d.MessageId)}", d.MessageId)), d.MessageType, d.Endpoint,
                d.HandlerName, d.ExceptionType ?? d.Reason, d.Failures, d.LastFailedAt];
            return mayChange ? [new HtmlCell($"<input type=\"checkbox\" name=\"id\" value=\"{Html.Text(d.MessageId)}\" aria-label=\"choose {Html.Text(d.MessageId)}\">"), .. cells] : cells;
        }));
        if (mayChange)
            page.Raw("<p><button type=\"submit\" name=\"action\" value=\"redrive\">Re-drive the chosen…</button><button type=\"submit\" name=\"action\" value=\"discard\">Discard the chosen…</button></p></form>");
        return Page(page, $"Dead letters of group {group}");
    }

    public async Task<IResult> DeadLetterAsync(HttpContext context, string messageId)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var rows = await DeadLetterOperations.FindAsync(db, messageId, context.RequestAborted);
        if (rows.Count == 0) return Results.NotFound();
        var page = new Html(prefix);
        var trace = await TraceOperations.TraceAsync(db, messageId, Clock(context).GetUtcNow().UtcDateTime, context.RequestAborted);
        page.Raw($"<p><strong>Now:</strong> {Html.Text(trace.Verdict)}</p>"); // the same verdict as messaging trace
        var mayChange = await MayChangeAsync(context);
        foreach (var d in rows)
        {
            page.Heading($"{d.Endpoint} / {d.HandlerName ?? "-"}");
            var group = d.Fingerprint ?? DeadLetterOperations.NoFingerprint;
            var actions = mayChange && d.Status == DeadLetterStatus.Parked
                ? $" &nbsp; {page.Link($"/confirm?action=redrive&id={Uri.EscapeDataString(d.MessageId)}", "Re-drive…")} &nbsp; {page.Link($"/confirm?action=discard&id={Uri.EscapeDataString(d.MessageId)}", "Discard…")}"
                : "";
            page.Raw($"<p>{page.Link($"/dead-letters?group={Uri.EscapeDataString(group)}", $"its failure group {group}")}{actions}</p>");
            page.Table(["field", "value"], new (string, object?)[]
            {
                ("status", $"{d.Status}, {d.Failures} failure(s), {d.RedriveCount} re-drive(s)"), ("type", d.MessageType), ("destination", d.Destination),
                ("partition key", d.PartitionKey), ("transport", d.Transport), ("consumed from", d.Source), ("dead-letter copy", d.DeadLetterDestination),
                ("reason", d.Reason), ("exception", d.ExceptionType is null ? null : $"{d.ExceptionType}: {d.ExceptionMessage}"),
                ("failure site", d.FailureSite), ("fingerprint", d.Fingerprint), ("first / last failed", $"{Html.Plain(d.FirstFailedAt)} / {Html.Plain(d.LastFailedAt)}"),
            }.Select(f => new object?[] { f.Item1, f.Item2 }));
            var headers = d.ReadHeaders();
            page.Heading("Headers", 3);
            if (headers.Count == 0) page.Paragraph("none besides the envelope's fields above", "muted");
            else page.Table(["header", "value"], headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new object?[] { h.Key, IsSecret(h.Key) ? "(hidden)" : h.Value }));
            page.Heading($"Body ({d.Body.Length} bytes)", 3).Raw($"<pre>{Html.Text(System.Text.Unicode.Utf8.IsValid(d.Body)
                ? System.Text.Encoding.UTF8.GetString(d.Body) : Convert.ToBase64String(d.Body))}</pre>");
        }
        return Page(page, $"Dead letter {messageId}");
    }

    public async Task<IResult> KeysAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var keys = await ParkedKeyOperations.ListAsync(db, null, options.PageSize, context.RequestAborted);
        var page = new Html(prefix);
        page.Paragraph("Partition keys held behind a dead letter (Messaging:Outbox:KeyOrderedDeadLetters): re-drive or discard the head to release them.", "muted")
            .Table(["endpoint", "key", "head", "status", "failure", "since", "held behind"], keys.Select(k => new object?[]
            {k.Endpoint, k.PartitionKey, new HtmlCell(page.Link($"/dead-letters/{Uri.EscapeDataString(k.Head.MessageId)}", k.Head.MessageId)),
                 k.Head.Status, k.Head.ExceptionType ?? k.Head.Reason, k.Head.LastFailedAt, k.Behind }));
        return Page(page, "Held keys");
    }

    public async Task<IResult> OutboxAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var status = Enum.TryParse<OutboxStatus>(context.Request.Query["status"].FirstOrDefault(), ignoreCase: true, out var s) ? s : (OutboxStatus?)null;
        var rows = await OutboxOperations.ListAsync(db, status, null, options.PageSize, context.RequestAborted);
        var page = new Html(prefix);
        var retry = status == OutboxStatus.Failed && rows.Count > 0 && await MayChangeAsync(context);
        page.Raw($"<p>{page.Link("/outbox?status=Pending", "Pending")} · {page.Link("/outbox?status=Failed", "Failed")} · {page.Link("/outbox?status=Sent", "Sent")} · {page.Link("/outbox", "all")}</p>")
            .Raw(retry ? $"<p>{page.Link("/confirm-retry", "Retry every Failed row…")}</p>" : "")
            .Table(["id", "message id", "status", "destination", "transport", "attempts", "created", "last error"], rows.Select(m => new object?[]
            { retry ? new HtmlCell(page.Link($"/confirm-retry?id={m.Id}", m.Id)) : m.Id, m.MessageId, m.Status, m.Destination, m.Transport, m.Attempts, m.CreatedAt, m.LastError }));
        return Page(page, status is null ? "Outbox" : $"Outbox: {status}");
    }

    private static async Task DeadLetterGroupsAsync(Html page, TContext db, CancellationToken ct)
    {
        var groups = await DeadLetterOperations.GroupAsync(db, DeadLetterGrouping.Failure, DeadLetterStatus.Parked, ct);
        page.Heading("Dead letters by failure").Paragraph(groups.Count == 0 ? "nothing parked" : $"{groups.Sum(g => g.Count)} parked in {groups.Count} group(s)", "muted")
            .Raw($"<p class=\"muted\">The copies on the brokers: {page.Link("/brokers", "broker dead-letter queues and topics")}</p>");
        if (groups.Count == 0) return;
        page.Table(["group", "handler", "failure", "parked", "first failed", "last failed"], groups.Select(g => new object?[]
            { new HtmlCell(page.Link($"/dead-letters?group={Uri.EscapeDataString(g.Key)}", g.Key)), g.Handler, g.Description, g.Count, g.FirstFailedAt, g.LastFailedAt }));
    }

    /// <summary>Whether the user may re-drive and discard: not read-only, and holding the change policy if there is one.</summary>
    public async Task<bool> MayChangeAsync(HttpContext context)
    {
        if (options.ReadOnly) return false;
        if (options.ChangePolicy is not { } policy) return true;
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(context.User, policy)).Succeeded;
    }

    private static bool IsSecret(string header) => SecretWords.Any(w => header.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static HtmlCell Status(HealthStatus status) =>
        new(status == HealthStatus.Healthy ? "<span class=\"ok\">Healthy</span>" : $"<span class=\"bad\">{Html.Text(status)}</span>");

    /// <summary>The application's clock (a registered <see cref="TimeProvider"/>), else the system's.</summary>
    public static TimeProvider Clock(HttpContext context) => context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;

    public static IResult Page(Html page, string title) => Results.Content(page.Page(title), "text/html; charset=utf-8");
}
