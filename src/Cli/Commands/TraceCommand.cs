using System.CommandLine;
using Messaging.Cli.Output;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging trace &lt;message-id&gt; [--source rabbitmq|kafka]</c>: one message's story in the database (and, when
/// asked, on the broker's dead-letter queue or topic), and a verdict.</summary>
internal static class TraceCommand
{
    private static readonly Argument<string> MessageId = new("message-id") { Description = "The message id, as published." };

    public static Command Create(CliRunner run)
    {
        var trace = new Command("trace", "Where is a message? Its outbox rows, dead letters, inbox rows per handler and redeliveries, with a one-line verdict; with --source rabbitmq|kafka also its copy on the broker's dead-letter queue or topic.")
        {
            MessageId, DlqOptions.Source, DlqOptions.Queue, DlqOptions.Topic, DlqOptions.CliGroup, DlqOptions.Limit,
        };
        run.Bind(trace, TraceAsync);
        return trace;
    }

    private static async Task<int> TraceAsync(CliContext context, CancellationToken cancellationToken)
    {
        var messageId = context.Value(MessageId)!;
        await using var db = context.Database.Open();
        var trace = await TraceOperations.TraceAsync(db, messageId, context.Time.GetUtcNow().UtcDateTime, cancellationToken);
        var broker = await BrokerCopiesAsync(context, messageId, cancellationToken);
        var verdict = broker is { Copies.Count: > 0 } && trace.DeadLetters.Count == 0 && trace.Inbox.Count == 0
            ? $"only on the broker, in {broker.Value.Where} at {broker.Value.Copies[0].Position} ({broker.Value.Copies[0].Row.Reason}); once the cause is fixed: "
              + $"messaging dlq redrive {messageId} --source {context.Value(DlqOptions.Source)}"
              + (context.Value(DlqOptions.Topic) is { } topic ? $" --topic {topic}" : "")
            : trace.Verdict;
        if (context.Json)
        {
            Render.Json(context, new
            {
                messageId,
                verdict,
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
                brokerCopies = broker?.Copies.Select(c => new { where = broker.Value.Where, position = c.Position, reason = c.Row.Reason, handler = c.Row.HandlerName }),
            });
            return 0;
        }
        Render.Line(context, $"message {messageId} in {context.Database.Describe()}");
        Render.Line(context, "verdict: " + verdict);
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
        if (broker is { } b)
        {
            foreach (var c in b.Copies) Render.Line(context, $"broker copy in {b.Where} at {c.Position}: {c.Row.Reason}");
            if (b.Copies.Count == 0) Render.Line(context, $"no broker copy among the first {b.Read} of {b.Where}");
        }
        return 0;
    }

    /// <summary>With <c>--source rabbitmq|kafka</c>: the message's copies among the first <c>--limit</c> of the endpoint's
    /// dead-letter queue or topic (read, not removed); null without it.</summary>
    private static async Task<(string Where, int Read, List<BrokerDeadLetter> Copies)?> BrokerCopiesAsync(CliContext context, string messageId,
        CancellationToken cancellationToken)
    {
        if (context.Value(DlqOptions.Source) == "database") return null;
        await using var source = DlqBrokerCommands.Open(context, forChanges: false);
        var read = await BrokerDeadLetter.ReadAsync(source, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken);
        return (source.Describe, read.Count, [.. read.Where(c => c.Row.MessageId == messageId)]);
    }
}
