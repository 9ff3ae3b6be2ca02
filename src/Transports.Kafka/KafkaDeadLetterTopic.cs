using System.Text;
using Confluent.Kafka;
using Messaging.Transport;

namespace Messaging.Kafka;

/// <summary>
/// A Kafka dead-letter topic (<c>&lt;topic&gt;</c> + <c>Messaging:Kafka:DeadLetterTopicSuffix</c>) read by the CLI's own
/// consumer group (<c>messaging-cli</c> unless told): from the group's committed offsets to the end as it was when reading
/// began; a command that only reads assigns the partitions itself (no group join, nothing committed). Removing commits, per partition, up to the first record that was not removed (Kafka commits a position, not single
/// records); records behind it are read again next time. What the <c>messaging dlq --source kafka</c> commands use.
/// </summary>
public sealed class KafkaDeadLetterTopic : IBrokerDeadLetters
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly KafkaOptions _options;
    private readonly string _topic;
    private readonly string _group;
    private readonly string _endpoint;
    private readonly bool _forChanges;
    private readonly string _clientId;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, (long Start, List<long> Offsets)> _read = [];
    private IConsumer<string?, byte[]>? _consumer;

    /// <summary>A reader of a dead-letter topic; it connects on the first read.</summary>
    /// <param name="options">The application's Kafka settings (bootstrap servers, dead-letter topic suffix).</param>
    /// <param name="topic">The topic whose dead-letter topic to read, or the dead-letter topic itself.</param>
    /// <param name="group">The CLI's consumer group on the dead-letter topic.</param>
    /// <param name="endpoint">The endpoint whose dead letters these are (for their rows).</param>
    /// <param name="forChanges">True when records will be removed: the reader then joins the CLI's consumer group, whose
    /// commits a broker accepts only from a member.</param>
    /// <param name="clientId">The Kafka <c>client.id</c> the reader shows to the brokers (their logs, quotas and the
    /// group's member list); <c>messaging-cli</c> by default, as the RabbitMQ reader's connection name.</param>
    /// <param name="time">The clock of the wait for the group's partitions; null for the system clock.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is empty.</exception>
    public KafkaDeadLetterTopic(KafkaOptions options, string topic, string group, string endpoint, bool forChanges, string clientId = "messaging-cli",
        TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        _clientId = clientId;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(endpoint);
        _forChanges = forChanges;
        _options = options;
        _topic = topic.EndsWith(options.DeadLetterTopicSuffix, StringComparison.Ordinal) ? topic : topic + options.DeadLetterTopicSuffix;
        _group = group;
        _endpoint = endpoint;
    }

    /// <inheritdoc />
    public string Describe => $"kafka {_options.BootstrapServers} topic {_topic} (consumer group {_group})";

    /// <inheritdoc />
    public string Transport => KafkaTransport.TransportName;

    /// <inheritdoc />
    public string Endpoint => _endpoint;

    /// <inheritdoc />
    public string DeadLetterDestination => _topic;

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetterCopy>> ReadAsync(int limit, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<DeadLetterCopy>>(() => Read(limit, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<DeadLetterCopy> HeldBack(IReadOnlyList<DeadLetterCopy> read, IReadOnlyList<DeadLetterCopy> removing)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(removing);
        var last = removing.Select(r => ((int Partition, long Offset))r.Handle).GroupBy(h => h.Partition).ToDictionary(g => g.Key, g => g.Max(h => h.Offset));
        var removed = removing.Select(r => r.Handle).ToHashSet();
        return [.. read.Where(r => !removed.Contains(r.Handle) && r.Handle is (int partition, long offset) && last.TryGetValue(partition, out var max) && offset < max)];
    }

    /// <inheritdoc />
    public Task<string?> RemoveAsync(IReadOnlyList<DeadLetterCopy> done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        var removed = done.Select(d => ((int Partition, long Offset))d.Handle).ToHashSet();
        var commits = new List<TopicPartitionOffset>();
        var left = 0;
        foreach (var (partition, (start, offsets)) in _read)
        {
            var next = start;
            foreach (var offset in offsets.Order())
            {
                if (!removed.Contains((partition, offset))) break;
                next = offset + 1;
            }
            left += offsets.Count(o => o >= next);
            if (next > start) commits.Add(new TopicPartitionOffset(_topic, partition, next));
        }
        if (commits.Count > 0) _consumer!.Commit(commits);
        return Task.FromResult(left == 0 ? null
            : (string?)$"{left} record(s) at or after the first one not removed stay unread by consumer group {_group} (Kafka commits a position per partition) and are listed again");
    }

    /// <summary>Leaves the consumer group (when joined for changes) and closes the consumer; nothing else is committed.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (_consumer is not null)
        {
            if (_forChanges) _consumer.Close(); // leaves the group at once
            _consumer.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private List<DeadLetterCopy> Read(int limit, CancellationToken cancellationToken)
    {
        var partitions = Partitions();
        var found = new List<DeadLetterCopy>();
        if (partitions.Count == 0) return found;
        var config = KafkaClientConfig.Consumer(_options, _group);
        config.EnableAutoCommit = false;
        config.ClientId = _clientId;
        var assigned = new HashSet<TopicPartition>();
        _consumer = new ConsumerBuilder<string?, byte[]>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { })
            .SetPartitionsAssignedHandler((_, p) => assigned.UnionWith(p))
            .SetPartitionsRevokedHandler((_, p) => assigned.ExceptWith(p.Select(x => x.TopicPartition))).Build();
        var committed = _consumer.Committed(partitions, Timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        if (_forChanges)
        {
            // A member of its group, so commits are accepted; owning every partition also proves no other CLI changes it now.
            _consumer.Subscribe(_topic);
            var deadline = _time.GetUtcNow() + TimeSpan.FromMilliseconds(_options.SessionTimeoutMs) + Timeout;
            while (!partitions.All(assigned.Contains))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_time.GetUtcNow() > deadline) throw new MessagingException($"Consumer group {_group} did not get every partition of {_topic}; is another messaging CLI changing it?");
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } early) Take(early, found); // the join may hand out records already
            }
            committed = _consumer.Committed(partitions, Timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        }
        else _consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, committed.GetValueOrDefault(p.Partition.Value, -1) is >= 0 and var at ? at : Offset.Beginning)));
        var ends = partitions.ToDictionary(p => p.Partition.Value, p => _consumer.QueryWatermarkOffsets(p, Timeout));
        foreach (var p in partitions)
        {
            var start = committed.GetValueOrDefault(p.Partition.Value, -1);
            _read.TryAdd(p.Partition.Value, (start >= 0 ? start : ends[p.Partition.Value].Low.Value, []));
        }
        while (found.Count < limit && _read.Any(r => Next(r.Key) < ends[r.Key].High.Value))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } record) Take(record, found);
        }
        return found.Count > limit ? found[..limit] : found;
    }

    private long Next(int partition) => _read[partition].Offsets.Count == 0 ? _read[partition].Start : _read[partition].Offsets.Max() + 1;

    private void Take(ConsumeResult<string?, byte[]> record, List<DeadLetterCopy> found)
    {
        var partition = record.Partition.Value;
        if (!_read.TryGetValue(partition, out var read)) _read[partition] = read = (record.Offset.Value, []);
        if (read.Offsets.Contains(record.Offset.Value)) return;
        read.Offsets.Add(record.Offset.Value);
        KafkaEnvelopeMapper.TryReadEnvelope(record, out var envelope, out _);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in record.Message.Headers ?? []) headers[header.Key] = header.GetValueBytes() is { } b ? Encoding.UTF8.GetString(b) : "";
        found.Add(new DeadLetterCopy(envelope, headers, $"partition {partition} offset {record.Offset.Value}", (partition, record.Offset.Value)));
    }

    private List<TopicPartition> Partitions()
    {
        var config = KafkaClientConfig.Admin(_options);
        config.Set("allow.auto.create.topics", "false"); // asking about a dead-letter topic must not create it
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(_topic, Timeout).Topics.SingleOrDefault(t => t.Topic == _topic);
        return metadata is null || metadata.Error.IsError ? [] : [.. metadata.Partitions.Select(p => new TopicPartition(_topic, p.PartitionId))];
    }
}
