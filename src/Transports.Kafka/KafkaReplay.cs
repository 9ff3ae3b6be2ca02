using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Kafka;

/// <summary>
/// Re-consumes a topic for a consumer group, for reprocessing after a bug fix: moves the group's committed
/// offsets back to a point in time (<c>OffsetsForTimes</c>, KIP-33 time index) or to an offset. Use it while
/// every member of the group is stopped: it briefly joins the group itself, commits, and leaves; the next
/// member to start consumes from the new offsets.
/// </summary>
/// <remarks>
/// Replay delivers messages the group handled before. With the EF Core inbox each (message id, handler)
/// pair that was already recorded is acknowledged and skipped, so a plain replay only handles what was
/// never handled (for example what was dead-lettered or failed). To run a handler again on purpose, either
/// register it under a new handler name (<c>AddHandler&lt;T, H&gt;("orders-v2")</c>; the inbox key is the
/// handler name), or delete that handler's inbox rows for the replayed message ids before restarting.
/// Registered as a singleton by <c>AddKafka()</c>.
/// </remarks>
public sealed class KafkaReplay(IOptions<KafkaOptions> options, TimeProvider time, ILogger<KafkaReplay> logger)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sets the committed offset of every partition of <paramref name="topic"/> to the first record whose
    /// timestamp is at or after <paramref name="timestamp"/> (to the end for partitions with no such record).
    /// </summary>
    /// <param name="consumerGroup">The consumer group (the endpoint name, <c>Messaging:Endpoint</c>).</param>
    /// <param name="topic">The topic to replay.</param>
    /// <param name="timestamp">Replay records produced at or after this time (record timestamp, ms precision).</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>The offsets committed, one per partition.</returns>
    /// <exception cref="MessagingException">Members of the group are running (this call could not own every
    /// partition within <c>SessionTimeoutMs</c> + 15 s), or the cluster refused the commit.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> ResetToTimestampAsync(string consumerGroup, string topic, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        return Task.Run(() => Run(consumerGroup, topic, consumer =>
        {
            var partitions = Partitions(topic);
            // ListOffsets by timestamp (KIP-33 time index); a partition with no record at or after the time answers -1,
            // and replays from its end.
            var found = consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, new Timestamp(timestamp))), RequestTimeout);
            return found.Select(f => f.Offset.Value >= 0 ? f
                : new TopicPartitionOffset(f.TopicPartition, consumer.QueryWatermarkOffsets(f.TopicPartition, RequestTimeout).High)).ToList();
        }, cancellationToken), cancellationToken);
    }

    /// <summary>Sets the committed offsets of several partitions of <paramref name="topic"/> in one go (one join of the
    /// group): each listed partition is consumed from its offset on; other partitions keep theirs.</summary>
    /// <param name="consumerGroup">The consumer group (the endpoint name).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="offsets">Partition number (0-based) → the next offset to consume (0 or more); at least one.</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>The offsets committed.</returns>
    /// <exception cref="ArgumentException"><paramref name="offsets"/> is empty or holds a negative offset.</exception>
    /// <exception cref="MessagingException">Members of the group are running, or the cluster refused the commit.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> ResetToOffsetsAsync(string consumerGroup, string topic, IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Count == 0 || offsets.Values.Any(o => o < 0))
            throw new ArgumentException("Give at least one partition, each with an offset of 0 or more.", nameof(offsets));
        return Task.Run(() => Run(consumerGroup, topic, _ => [.. offsets.Select(o => new TopicPartitionOffset(topic, o.Key, o.Value))], cancellationToken), cancellationToken);
    }

    /// <summary>Sets the committed offset of one partition: the group consumes from <paramref name="offset"/> on.</summary>
    /// <param name="consumerGroup">The consumer group (the endpoint name).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition number (0-based).</param>
    /// <param name="offset">The next offset to consume (0 or more).</param>
    /// <param name="cancellationToken">Cancels before the commit.</param>
    /// <returns>The offset committed.</returns>
    /// <exception cref="MessagingException">Members of the group are running, or the cluster refused the commit.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> ResetToOffsetAsync(string consumerGroup, string topic, int partition, long offset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Task.Run(() => Run(consumerGroup, topic, _ => [new TopicPartitionOffset(topic, partition, offset)], cancellationToken), cancellationToken);
    }

    private IReadOnlyList<TopicPartitionOffset> Run(string group, string topic, Func<IConsumer<Ignore, Ignore>, List<TopicPartitionOffset>> target, CancellationToken cancellationToken)
    {
        var config = KafkaClientConfig.Consumer(options.Value, group);
        config.EnableAutoCommit = false;
        config.ClientId = "messaging-replay";
        var assigned = new HashSet<TopicPartition>();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, "replay " + group, m))
            .SetPartitionsAssignedHandler((_, partitions) => assigned.UnionWith(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => assigned.ExceptWith(partitions.Select(p => p.TopicPartition)))
            .Build();
        try
        {
            // Commits as a member of the group: a running member would share the partitions, so owning all of
            // them proves the group is stopped (and some brokers, like librdkafka's mock, refuse commits from
            // outside an existing group).
            var wanted = Partitions(topic);
            consumer.Subscribe(topic);
            var deadline = time.GetUtcNow().AddMilliseconds(options.Value.SessionTimeoutMs) + RequestTimeout;
            while (!wanted.All(assigned.Contains))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (time.GetUtcNow() > deadline)
                    throw new MessagingException($"Replay for consumer group '{group}': this process got only [{string.Join(", ", assigned)}] of topic '{topic}'; other members are running. Stop every member of the group first.");
                consumer.Consume(TimeSpan.FromMilliseconds(100)); // records are ignored; nothing is stored or committed
            }
            var offsets = target(consumer);
            consumer.Commit(offsets);
            consumer.Close();
            Log.OffsetsReset(logger, group, string.Join(", ", offsets.Select(o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value}")));
            return offsets;
        }
        catch (KafkaException ex)
        {
            throw new MessagingException($"Replay for consumer group '{group}' failed: {ex.Error.Code}: {ex.Error.Reason}.", ex);
        }
    }

    private List<TopicPartition> Partitions(string topic)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(options.Value)).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(topic, RequestTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            throw new MessagingException($"Topic '{topic}' has no partitions to replay: {metadata?.Error.Code}.");
        return [.. metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))];
    }
}
