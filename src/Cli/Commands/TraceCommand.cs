using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging trace &lt;message-id&gt;</c>: one message's story in the database, and a verdict.</summary>
internal static class TraceCommand
{
    private static readonly Argument<string> MessageId = new("message-id") { Description = "The message id, as published." };

    public static Command Create(CliRunner run)
    {
        var trace = new Command("trace", "Where is a message? Its outbox rows, dead letters, inbox rows per handler and redeliveries, with a one-line verdict.")
        {
            MessageId,
        };
        run.Bind(trace, TraceAsync);
        return trace;
    }

    private static async Task<int> TraceAsync(CliContext context, CancellationToken cancellationToken)
    {
        var messageId = context.Value(MessageId)!;
        await using var db = context.Database.Open();
        var trace = await TraceOperations.TraceAsync(db, messageId, DateTime.UtcNow, cancellationToken);
        if (context.Json)
        {
            Render.Json(context, new
            {
                messageId,
                verdict = trace.Verdict,
                outbox = trace.Outbox.Select(r => new
                {
                    id = r.Id, status = r.Status.ToString(), r.Destination, r.Transport, attempts = r.Attempts, lastError = r.LastError,
                    createdAt = r.CreatedAt, sentAt = r.SentAt, leaseUntil = r.LeaseUntil,
                }),
                deadLetters = trace.DeadLetters.Select(d => new
                {
                    id = d.Id, status = d.Status.ToString(), endpoint = d.Endpoint, handler = d.HandlerName, transport = d.Transport, reason = d.Reason,
                    exceptionType = d.ExceptionType, failures = d.Failures, redrives = d.RedriveCount, lastFailedAt = d.LastFailedAt,
                }),
                redriveJobs = trace.RedriveJobs.Select(j => new { job = j.Id, status = j.Status.ToString(), j.RequestedBy, j.Reason, j.CreatedAt }),
                inbox = trace.Inbox.Select(r => new { handler = r.HandlerName, processedAt = r.ProcessedAt }),
                redeliveries = trace.Redeliveries.Select(r => new { endpoint = r.Endpoint, deliveries = r.Deliveries, lastDeliveredAt = r.LastDeliveredAt }),
            });
            return 0;
        }
        Render.Line(context, $"message {messageId} in {context.Database.Describe()}");
        Render.Line(context, "verdict: " + trace.Verdict);
        if (trace.Outbox.Count > 0)
        {
            var table = Render.Table("outbox id", "status", "destination", "transport", "attempts", "created", "sent", "last error");
            foreach (var r in trace.Outbox) Render.Row(table, r.Id, r.Status, r.Destination, r.Transport, r.Attempts, r.CreatedAt, r.SentAt, Render.Shorten(r.LastError, 80));
            context.Console.Write(table);
        }
        if (trace.DeadLetters.Count > 0)
        {
            var table = Render.Table("dead letter", "status", "endpoint", "handler", "failures", "re-drives", "last failed", "reason");
            foreach (var d in trace.DeadLetters) Render.Row(table, d.Id, d.Status, d.Endpoint, d.HandlerName, d.Failures, d.RedriveCount, d.LastFailedAt, Render.Shorten(d.Reason, 80));
            context.Console.Write(table);
        }
        foreach (var j in trace.RedriveJobs)
            Render.Line(context, $"re-driven by job {j.Id} of {j.RequestedBy}, started {Render.Cell(j.CreatedAt)}: {(j.Reason.Length == 0 ? "(no reason given)" : j.Reason)}");
        if (trace.Inbox.Count > 0)
        {
            var table = Render.Table("handler", "applied at");
            foreach (var r in trace.Inbox) Render.Row(table, r.HandlerName, r.ProcessedAt);
            context.Console.Write(table);
        }
        foreach (var r in trace.Redeliveries) Render.Line(context, $"endpoint {r.Endpoint}: {r.Deliveries} counted deliveries, last {r.LastDeliveredAt:u}");
        return 0;
    }
}
