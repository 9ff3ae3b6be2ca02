using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Messaging.Cli.Output;
using Messaging.Kafka;
using Messaging.Outbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messaging.Cli.Commands;

/// <summary><c>messaging kafka lag|replay</c>.</summary>
internal static class KafkaCommands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly Option<string?> Group = new("--group") { Description = "The consumer group (default: the endpoint, Messaging:Endpoint)." };
    private static readonly Option<string?> Topic = new("--topic") { Description = "Only this topic." };
    private static readonly Option<string> ReplayTopic = new("--topic") { Description = "The topic to replay.", Required = true };
    private static readonly Option<string[]> From = new("--from")
    {
        Description = "A time (ISO 8601, UTC unless it says otherwise: the broker's time index) or partition@offset, repeatable or comma-separated (0@120,1@98).",
        Required = true, AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<bool> PastInboxRetention = new("--past-inbox-retention")
    {
        Description = "Replay from a time before the inbox retention (Messaging:Outbox:InboxRetentionMs) anyway: records handled before it are applied again.",
    };

    public static Command Create(CliRunner run)
    {
        var lag = new Command("lag", "Per partition: committed offset, end of the log, and lag (records not yet handled).") { Group, Topic };
        run.Bind(lag, LagAsync);
        var replay = new Command("replay", "Moves a stopped consumer group's offsets back, to consume again from a time or offsets.") { Group, ReplayTopic, From, PastInboxRetention };
        run.Bind(replay, ReplayAsync);
        return new Command("kafka", "Kafka consumer groups: lag and replay.") { lag, replay };
    }

    private static async Task<int> LagAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = context.Kafka;
        var group = context.Value(Group) ?? context.Endpoint;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = options.BootstrapServers, GroupId = group })
            .SetLogHandler((_, _) => { }).Build(); // never subscribes: it only reads the group's committed offsets and the logs' ends
        var committed = context.Value(Topic) is { } topic ? Committed(consumer, options, topic) : await AllCommittedAsync(options, group);
        if (committed.Count == 0) throw new CliException($"Consumer group '{group}' has no committed offsets{(context.Value(Topic) is { } t ? $" on topic '{t}'" : " (give --topic when the cluster cannot list them)")} at {options.BootstrapServers}.");
        var rows = committed.Select(p =>
        {
            var ends = consumer.QueryWatermarkOffsets(p.TopicPartition, Timeout);
            var position = p.Offset.Value >= 0 ? p.Offset.Value : ends.Low.Value;
            return (p.Topic, Partition: p.Partition.Value, Committed: p.Offset.Value >= 0 ? p.Offset.Value : (long?)null, End: ends.High.Value, Lag: Math.Max(0, ends.High.Value - position));
        }).ToList();
        if (context.Json)
        {
            Render.Json(context, new { group, partitions = rows.Select(r => new { r.Topic, r.Partition, r.Committed, r.End, r.Lag }), total = rows.Sum(r => r.Lag) });
            return 0;
        }
        Render.Line(context, $"consumer group {group} at {options.BootstrapServers}");
        var table = Render.Table("topic", "partition", "committed", "end", "lag");
        foreach (var r in rows) Render.Row(table, r.Topic, r.Partition, r.Committed, r.End, r.Lag);
        context.Console.Write(table);
        Render.Line(context, $"total lag: {rows.Sum(r => r.Lag)} record(s)");
        return 0;
    }

    /// <summary>The group's committed offset on every partition of <paramref name="topic"/> (Unset where none).</summary>
    private static List<TopicPartitionOffset> Committed(IConsumer<Ignore, Ignore> consumer, KafkaOptions options, string topic)
    {
        var config = KafkaClientConfig.Admin(options);
        config.Set("allow.auto.create.topics", "false");
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(topic, Timeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0) throw new CliException($"Topic '{topic}' does not exist at {options.BootstrapServers}.");
        return [.. consumer.Committed(metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)), Timeout).OrderBy(p => p.Partition.Value)];
    }

    /// <summary>Every committed offset of the group (ListConsumerGroupOffsets).</summary>
    private static async Task<List<TopicPartitionOffset>> AllCommittedAsync(KafkaOptions options, string group)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(options)).SetLogHandler((_, _) => { }).Build();
        var listed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        return [.. listed.Single().Partitions.Where(p => p.Offset.Value >= 0).Select(p => p.TopicPartitionOffset)
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)];
    }

    private static async Task<int> ReplayAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = context.Kafka;
        var group = context.Value(Group) ?? context.Endpoint;
        var topic = context.Value(ReplayTopic)!;
        var from = (context.Value(From) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var offsets = new Dictionary<int, long>();
        DateTimeOffset? time = null;
        foreach (var value in from)
        {
            var at = value.IndexOf('@', StringComparison.Ordinal);
            if (at > 0 && int.TryParse(value[..at], CultureInfo.InvariantCulture, out var partition) && long.TryParse(value[(at + 1)..], CultureInfo.InvariantCulture, out var offset) && offset >= 0)
                offsets[partition] = offset;
            else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) time = parsed;
            else throw new CliException($"--from '{value}' is neither a time (2026-11-29T10:00:00Z) nor partition@offset (0@120).");
        }
        if (time is not null && offsets.Count > 0) throw new CliException("--from: give a time or partition@offset values, not both.");
        if (time is { } start && !context.Value(PastInboxRetention)) RefuseBeforeInboxRetention(context, start);
        await RefuseWhenRunningAsync(options, group);
        context.Confirm(time is { } t
            ? $"Move consumer group '{group}' on topic '{topic}' back to records at or after {t.UtcDateTime:O}?"
            : $"Move consumer group '{group}' on topic '{topic}' to {string.Join(", ", offsets.Select(o => $"partition {o.Key} offset {o.Value}"))}?");
        var replay = new KafkaReplay(Options.Create(options), context.Time, NullLogger<KafkaReplay>.Instance);
        var done = time is { } ts
            ? await replay.ResetToTimestampAsync(group, topic, ts, cancellationToken)
            : await replay.ResetToOffsetsAsync(group, topic, offsets, cancellationToken);
        if (context.Json) Render.Json(context, new { group, topic, offsets = done.Select(o => new { partition = o.Partition.Value, offset = o.Offset.Value }) });
        else Render.Line(context, $"consumer group {group} will consume {topic} from {string.Join(", ", done.Select(o => $"partition {o.Partition.Value} offset {o.Offset.Value}"))} when it starts; with the inbox, messages its handlers already handled are skipped");
        return 0;
    }

    /// <summary>The inbox recognises a replayed record only while it keeps the row of its first handling: refuse a replay
    /// from before the application's inbox retention (its configuration, as the tool reads it; the default when unset),
    /// whose older records the handlers would apply a second time. A replay by offsets has no time to check.</summary>
    private static void RefuseBeforeInboxRetention(CliContext context, DateTimeOffset start)
    {
        const string key = "Messaging:Outbox:InboxRetentionMs";
        var retentionMs = long.TryParse(context.Configuration[key], CultureInfo.InvariantCulture, out var configured) ? configured : new OutboxOptions().InboxRetentionMs;
        if (retentionMs <= 0) return; // rows kept forever
        var kept = context.Time.GetUtcNow().AddMilliseconds(-retentionMs);
        if (start >= kept) return;
        throw new CliException($"--from {start.UtcDateTime:O} is before what the inbox still remembers ({key} = {retentionMs} ms: rows processed "
            + $"before {kept.UtcDateTime:O} are deleted); records from before then that the handlers applied would be applied again. "
            + "Replay from a later time, or add --past-inbox-retention to accept that.");
    }

    /// <summary>A replay moves the offsets of a stopped group only: refuse at once, naming the members, when it runs.</summary>
    private static async Task RefuseWhenRunningAsync(KafkaOptions options, string group)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(options)).SetLogHandler((_, _) => { }).Build();
        DescribeConsumerGroupsResult described;
        try
        {
            described = await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = Timeout });
        }
        catch (KafkaException)
        {
            return; // the cluster cannot describe groups: KafkaReplay's own check (it must own every partition) still refuses
        }
        var members = described.ConsumerGroupDescriptions.SingleOrDefault()?.Members ?? [];
        if (members.Count > 0)
            throw new CliException($"Consumer group '{group}' is running ({members.Count} member(s): {string.Join(", ", members.Select(m => $"{m.ClientId}@{m.Host}"))}); stop every member before a replay.");
    }
}
