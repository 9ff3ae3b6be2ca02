using Messaging.Kafka;
using Messaging.RabbitMq;
using Messaging.Transport;
using Messaging.Cli.Output;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary>The <c>dlq</c> commands on a broker's dead-letter queue or topic. A re-drive writes each message's outbox row
/// (and its dead-letter row, marked re-driven) in the application's database first, and removes the broker copy only after
/// that committed; what is not re-driven or discarded stays on the broker.</summary>
internal static class DlqBrokerCommands
{
    public static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var broker = Open(context, forChanges: false);
        var found = await BrokerDeadLetter.ReadAsync(broker, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken);
        await OverlayTableStateAsync(context, found, cancellationToken);
        if (context.Value(DlqOptions.GroupBy) is { } by) DlqRender.Groups(context, DeadLetterOperations.Group(found.Select(f => f.Row), DlqOptions.Grouping(by)), by, broker.Describe);
        else DlqRender.List(context, [.. found.Select(f => (f.Row, (string?)f.Position))], broker.Describe);
        return 0;
    }

    public static async Task<int> ShowAsync(CliContext context, CancellationToken cancellationToken)
    {
        var messageId = context.Value(DlqOptions.MessageId)!;
        await using var broker = Open(context, forChanges: false);
        var found = (await BrokerDeadLetter.ReadAsync(broker, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken)).Where(f => f.Row.MessageId == messageId).ToList();
        if (found.Count == 0) throw new CliException($"No dead letter with message id {messageId} among the first {context.Value(DlqOptions.Limit)} of {broker.Describe}.");
        await OverlayTableStateAsync(context, found, cancellationToken);
        foreach (var item in found) DlqRender.Details(context, item.Row, item.Position);
        return 0;
    }

    public static async Task<int> ChangeAsync(CliContext context, bool redrive, CancellationToken cancellationToken)
    {
        var selection = DlqCommands.Selection(context);
        var verb = redrive ? "re-drive" : "discard";
        var database = redrive ? context.Database : null; // a re-drive writes outbox rows: resolve the database before touching the broker
        await using var broker = Open(context, forChanges: !context.Value(DlqOptions.DryRun));
        var found = await BrokerDeadLetter.ReadAsync(broker, Math.Max(1, context.Value(DlqOptions.Limit)), cancellationToken);
        var chosen = found.Where(f => selection.All || (selection.Fingerprint is { } fp ? f.Row.Fingerprint == fp : selection.MessageIds.Contains(f.Row.MessageId))).ToList();
        if (redrive) chosen = chosen.Where(f => f.Row.MessageId.Length > 0).ToList(); // without a message id it can only be discarded
        if (chosen.Count == 0) throw new CliException($"No dead letter matches among the {found.Count} read from {broker.Describe}; nothing to {verb}.");
        if (context.Value(DlqOptions.DryRun))
        {
            if (!context.Json) Render.Line(context, $"dry run: would {verb} {chosen.Count} dead letter(s)");
            DlqRender.List(context, [.. chosen.Select(f => (f.Row, (string?)f.Position))], broker.Describe);
            return 0;
        }
        context.Confirm($"{(redrive ? "Re-drive" : "Discard")} {chosen.Count} dead letter(s) from {broker.Describe}{(redrive ? $" through the outbox of {database!.Describe()}" : "")}?");
        var done = new List<BrokerDeadLetter>();
        var holding = broker.HeldBack([.. found.Select(f => f.Copy)], [.. chosen.Select(f => f.Copy)]).ToHashSet(ReferenceEqualityComparer.Instance);
        var heldBack = found.Where(f => holding.Contains(f.Copy)).ToList();
        if (heldBack.Count > 0 && !redrive) database = TryDatabase(context); // to keep them when passing over them
        string? note = null;
        await DlqCommands.WithProgressAsync(context, $"{verb} dead letters", chosen.Count, async report =>
        {
            if (redrive)
            {
                await using var db = database!.Open();
                foreach (var item in chosen)
                {
                    await DeadLetterOperations.ImportAndRedriveAsync(db, item.Row, context.Time.GetUtcNow(), cancellationToken);
                    done.Add(item);
                    report(done.Count);
                }
            }
            else done.AddRange(chosen);
            if (heldBack.Count > 0 && database is not null)
            {
                // Kafka commits a position: records passed over on the way to a chosen one are kept in the database, parked.
                await using var db = database.Open();
                foreach (var item in heldBack) await DeadLetterOperations.ImportParkedAsync(db, item.Row, cancellationToken);
                done.AddRange(heldBack);
                note = $"{heldBack.Count} dead letter(s) read before the chosen ones were recorded as parked in {database.Describe()} (dlq list), so the position could pass them";
            }
            note = await broker.RemoveAsync([.. done.Select(d => d.Copy)], cancellationToken) ?? note; // only after the outbox rows committed
            report(done.Count);
        });
        done = [.. done.Except(heldBack)];
        if (context.Json) Render.Json(context, new { action = verb, count = done.Count, messageIds = done.Select(d => d.Row.MessageId), note });
        else
        {
            Render.Line(context, redrive
                ? $"{done.Count} dead letter(s) re-driven from {broker.Describe}: outbox rows written with the same message ids, then removed from the broker"
                : $"{done.Count} dead letter(s) removed from {broker.Describe}");
            if (note is not null) Render.Line(context, note);
        }
        return 0;
    }

    /// <summary>Broker copies shown with the state of their row in the application's dead-letters table, when the
    /// configuration names a database: a copy re-driven from the table says Redriven, not Parked.</summary>
    private static async Task OverlayTableStateAsync(CliContext context, IReadOnlyList<BrokerDeadLetter> copies, CancellationToken cancellationToken)
    {
        if (copies.Count == 0 || TryDatabase(context) is not { } database) return;
        await using var db = database.Open();
        await DeadLetterOperations.OverlayTableStateAsync(db, [.. copies.Select(c => c.Row)], cancellationToken);
    }

    private static Configuration.DatabaseTarget? TryDatabase(CliContext context)
    {
        try
        {
            return context.Database;
        }
        catch (CliException)
        {
            return null; // no database: only the contiguous prefix is removed, and the note says what stays
        }
    }

    /// <summary>The dead-letter queue or topic <c>--source</c> names, for reading (<paramref name="forChanges"/> false) or removing.</summary>
    public static IBrokerDeadLetters Open(CliContext context, bool forChanges) => context.Value(DlqOptions.Source) switch
    {
        "rabbitmq" => new RabbitMqDeadLetterQueue(context.RabbitMq, context.Endpoint, context.Value(DlqOptions.Queue)),
        _ => new KafkaDeadLetterTopic(context.Kafka, context.Value(DlqOptions.Topic) ?? throw new CliException("--source kafka needs --topic (the topic whose dead-letter topic to read)."),
            context.Value(DlqOptions.CliGroup)!, context.Endpoint, forChanges, time: context.Time),
    };
}
