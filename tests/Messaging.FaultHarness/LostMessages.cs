using System.Text;
using Confluent.Kafka;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.FaultHarness;

/// <summary>
/// After a run that lost messages: where each one got to. The outbox row and the inbox say whether it was sent and
/// handled; on Kafka the topic, the dead-letter topic and the group's committed offsets say whether the broker has
/// it and whether the group's commit moved past it (a consumer-side skip) or it never reached the log (a producer-side
/// loss). Up to <see cref="MaxDescribed"/> messages are described.
/// </summary>
internal static class LostMessages
{
    private const int MaxDescribed = 20;

    public static async Task<IReadOnlyList<string>> DescribeAsync(HarnessSettings settings, string? kafkaBootstrap)
    {
        await using var db = HarnessReport.OpenDb(settings);
        var applied = db.Effects.Select(e => e.Seq);
        var missing = await db.WorkItems.Where(w => !applied.Contains(w.Seq)).OrderBy(w => w.Seq).Take(MaxDescribed).ToListAsync();
        if (missing.Count == 0) return [];
        var ids = missing.Select(m => m.MessageId).ToList();
        var rows = await db.Set<OutboxMessage>().Where(m => ids.Contains(m.MessageId)).ToDictionaryAsync(m => m.MessageId);
        var inbox = (await db.Set<InboxRecord>().Where(r => ids.Contains(r.MessageId)).Select(r => r.MessageId).ToListAsync()).ToHashSet();
        var kafka = settings.Transport == "kafka" && kafkaBootstrap is not null ? Scan(kafkaBootstrap, ids.ToHashSet()) : null;

        var lines = new List<string>();
        foreach (var item in missing)
        {
            var line = new StringBuilder($"seq {item.Seq} (message {item.MessageId}, created {item.CreatedAt:HH:mm:ss.fff}): ");
            line.Append(rows.TryGetValue(item.MessageId, out var row)
                ? $"outbox id {row.Id} key {row.PartitionKey} {row.Status} at {row.SentAt:HH:mm:ss.fff} by {row.LeaseOwner}, attempts {row.Attempts}"
                : "no outbox row");
            line.Append(inbox.Contains(item.MessageId) ? "; inbox row present" : "; no inbox row");
            if (kafka is not null) line.Append("; ").Append(kafka.Describe(item.MessageId));
            lines.Add(line.ToString());
        }
        return lines;
    }

    private static KafkaFindings Scan(string bootstrap, HashSet<string> ids)
    {
        var findings = new KafkaFindings();
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = HarnessSettings.Endpoint, // only for Committed(); nothing is subscribed or committed
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        foreach (var topic in new[] { HarnessSettings.Topic, HarnessSettings.Topic + ".dlq" })
        {
            var partitions = metadata.Topics.FirstOrDefault(t => t.Topic == topic)?.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList() ?? [];
            if (partitions.Count == 0) continue;
            if (topic == HarnessSettings.Topic)
                foreach (var c in consumer.Committed(partitions, TimeSpan.FromSeconds(10))) findings.Committed[c.Partition.Value] = c.Offset.Value;
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
            var open = partitions.Count;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (open > 0 && DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (record is null) continue;
                if (record.IsPartitionEOF) { open--; continue; }
                var id = record.Message.Headers?.TryGetLastBytes(HeaderNames.MessageId, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
                if (id is not null && ids.Contains(id)) findings.Add(id, topic, record.TopicPartitionOffset, record.Message.Timestamp.UtcDateTime);
            }
            consumer.Unassign();
        }
        return findings;
    }

    private sealed class KafkaFindings
    {
        private readonly Dictionary<string, List<string>> _seen = [];
        public Dictionary<int, long> Committed { get; } = [];

        public void Add(string id, string topic, TopicPartitionOffset at, DateTime timestamp)
        {
            if (!_seen.TryGetValue(id, out var list)) _seen[id] = list = [];
            var committed = topic == HarnessSettings.Topic && Committed.TryGetValue(at.Partition.Value, out var c) ? $", group committed {c}" : "";
            list.Add($"{topic}[{at.Partition.Value}]@{at.Offset.Value} (timestamp {timestamp:HH:mm:ss.fff}{committed})");
        }

        public string Describe(string id) =>
            _seen.TryGetValue(id, out var list) ? "in Kafka at " + string.Join(", ", list) : "NOT in the topic nor on the dead-letter topic";
    }
}
