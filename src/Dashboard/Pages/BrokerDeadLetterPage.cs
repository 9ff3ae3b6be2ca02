using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.Outbox.Operations;
using Messaging.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Dashboard.Pages;

/// <summary>The brokers' dead-letter queues and topics of this host's endpoints beside the table: the first copies of each,
/// read through the transports' <see cref="IBrokerDeadLetterSource"/> as <c>messaging dlq list --source</c> reads them, and
/// given back; a copy whose message is in the dead-letters table links to it and shows that row's status.</summary>
internal sealed class BrokerDeadLetterPage<TContext>(string prefix, DashboardOptions options) where TContext : DbContext
{
    /// <summary>Longest wait for one broker (ms): a page must not hang on a broker that is down.</summary>
    public const int ReadTimeoutMs = 10_000;

    public async Task<IResult> ShowAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<TContext>();
        var sources = context.RequestServices.GetServices<IBrokerDeadLetterSource>().ToList();
        var endpoints = context.RequestServices.GetService<StartupGuarantees>()?.Endpoints.Where(e => e.Consumes).ToList() ?? [];
        var page = new Html(prefix);
        page.Paragraph($"The first {options.PageSize} copies of each dead-letter queue or topic of this host's endpoints, read and given back: nothing is "
            + "removed (RabbitMQ requeues them in place, marked redelivered). Re-drive or discard them with messaging dlq --source.", "muted");
        var shown = 0;
        foreach (var endpoint in endpoints)
        {
            if (sources.FirstOrDefault(s => string.Equals(s.Transport, endpoint.Transport, StringComparison.OrdinalIgnoreCase)) is not { } source) continue;
            foreach (var reader in source.OpenForReading(new ConsumerEndpoint(endpoint.Endpoint, endpoint.Destinations)))
            {
                await using (reader)
                {
                    shown++;
                    page.Heading(reader.Describe);
                    await ReadAsync(page, db, reader, DashboardPages<TContext>.Clock(context), context.RequestAborted);
                }
            }
        }
        if (shown == 0) page.Paragraph("No broker dead-letter queue or topic: this host consumes nothing, or its transports keep no broker copies.", "muted");
        return DashboardPages<TContext>.Page(page, "Broker dead letters");
    }

    private async Task ReadAsync(Html page, TContext db, IBrokerDeadLetters reader, TimeProvider time, CancellationToken requestAborted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(ReadTimeoutMs), time);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, timeout.Token);
        IReadOnlyList<BrokerDeadLetter> copies;
        try
        {
            copies = await BrokerDeadLetter.ReadAsync(reader, options.PageSize, read.Token);
        }
        catch (Exception ex) when (ex is MessagingException || (ex is OperationCanceledException && !requestAborted.IsCancellationRequested))
        {
            page.Raw($"<p class=\"bad\">Could not read it: {Html.Text(ex is MessagingException ? ex.Message : $"no answer within {ReadTimeoutMs} ms")}</p>");
            return;
        }
        var rows = copies.Select(c => c.Row).ToList();
        await DeadLetterOperations.OverlayTableStateAsync(db, rows, requestAborted);
        var ids = rows.Select(r => r.MessageId).Where(id => id.Length > 0).Distinct().ToList();
        var inTable = (await db.Set<DeadLetter>().AsNoTracking().Where(d => ids.Contains(d.MessageId)).Select(d => d.MessageId).ToListAsync(requestAborted)).ToHashSet();
        page.Paragraph(copies.Count == 0 ? "empty" : $"{copies.Count} cop(ies) read, {copies.Count(c => inTable.Contains(c.Row.MessageId))} of them in the dead-letters table", "muted");
        if (copies.Count == 0) return;
        page.Table(["position", "message id", "type", "failure", "status (table)", "failures"], copies.Select(c => new object?[]
        {
            c.Position, inTable.Contains(c.Row.MessageId) ? new HtmlCell(page.Link($"/dead-letters/{Uri.EscapeDataString(c.Row.MessageId)}", c.Row.MessageId)) : c.Row.MessageId,
            c.Row.MessageType, c.Row.ExceptionType ?? c.Row.Reason, inTable.Contains(c.Row.MessageId) ? c.Row.Status : "not in the table", c.Row.Failures,
        }));
    }
}
