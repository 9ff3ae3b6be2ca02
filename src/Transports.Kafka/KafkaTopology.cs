using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Messaging.Kafka;

/// <summary>
/// Makes sure the endpoints' topics and their dead-letter topics exist before any receive: a metadata
/// request (which also fails fast and clearly when the cluster is unreachable) that lets the cluster
/// auto-create topics, then the Admin API's CreateTopics for topics still missing (clusters with
/// auto-creation off). librdkafka's mock cluster auto-creates, so CreateTopics is never needed there.
/// </summary>
internal sealed class KafkaTopology(KafkaOptions options, KafkaClientEvents events, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var topics = endpoints.SelectMany(e => e.Destinations)
            .SelectMany(t => new[] { t, t + options.DeadLetterTopicSuffix })
            .Distinct(StringComparer.Ordinal).ToList();
        return Task.Run(() => EnsureTopicsAsync(topics, cancellationToken), cancellationToken);
    }

    private async Task EnsureTopicsAsync(List<string> topics, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(options))
            .SetErrorHandler((_, e) => events.OnError("admin", e))
            .SetLogHandler((_, m) => events.OnLog("admin", m))
            .Build();
        var deadline = time.GetUtcNow().AddMilliseconds(options.StartupTimeoutMs);
        if (topics.Count == 0)
        {
            Metadata(admin, null, deadline); // reachability only
            return;
        }
        var createRequested = new HashSet<string>(StringComparer.Ordinal);
        var pending = topics;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var notReady = new List<string>();
            var missing = new List<string>();
            foreach (var topic in pending)
            {
                var metadata = Metadata(admin, topic, deadline).Topics.FirstOrDefault(t => t.Topic == topic);
                if (metadata is { Error.IsError: false, Partitions.Count: > 0 }) continue;
                notReady.Add(topic);
                if (metadata is null || metadata.Error.Code == ErrorCode.UnknownTopicOrPart) missing.Add(topic);
                else if (metadata.Error.Code is not (ErrorCode.LeaderNotAvailable or ErrorCode.NoError))
                    throw new MessagingException($"Kafka refuses topic '{topic}': {metadata.Error.Code}: {metadata.Error.Reason}");
            }
            if (notReady.Count == 0) return;
            var toCreate = missing.Where(createRequested.Add).ToList();
            if (toCreate.Count > 0) await CreateAsync(admin, toCreate, deadline).ConfigureAwait(false);
            if (time.GetUtcNow() > deadline)
                throw new BrokerUnavailableException($"Kafka topics [{string.Join(", ", notReady)}] did not become available within Messaging:Kafka:StartupTimeoutMs = {options.StartupTimeoutMs} ms.");
            pending = notReady;
            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private Metadata Metadata(IAdminClient admin, string? topic, DateTimeOffset deadline)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1_000, (deadline - time.GetUtcNow()).TotalMilliseconds));
        try
        {
            return topic is null ? admin.GetMetadata(timeout) : admin.GetMetadata(topic, timeout);
        }
        catch (KafkaException ex)
        {
            throw new BrokerUnavailableException($"Kafka cluster at '{options.BootstrapServers}' (Messaging:Kafka:BootstrapServers) did not answer a metadata request within {timeout.TotalMilliseconds:0} ms: {ex.Error.Code}: {ex.Error.Reason}", ex);
        }
    }

    private async Task CreateAsync(IAdminClient admin, List<string> topics, DateTimeOffset deadline)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1_000, (deadline - time.GetUtcNow()).TotalMilliseconds));
        // -1: the cluster's default partition count and replication factor.
        var specs = topics.Select(t => new TopicSpecification { Name = t, NumPartitions = -1, ReplicationFactor = -1 });
        try
        {
            await admin.CreateTopicsAsync(specs, new CreateTopicsOptions { RequestTimeout = timeout, OperationTimeout = timeout }).ConfigureAwait(false);
            foreach (var topic in topics) Log.TopicCreated(logger, topic);
        }
        catch (CreateTopicsException ex)
        {
            var refused = ex.Results.Where(r => r.Error.IsError && r.Error.Code != ErrorCode.TopicAlreadyExists).ToList();
            if (refused.Count > 0)
                throw new MessagingException($"Kafka refused to create topic(s) {string.Join("; ", refused.Select(r => $"'{r.Topic}': {r.Error.Code}: {r.Error.Reason}"))}", ex);
        }
        catch (KafkaException ex)
        {
            throw new BrokerUnavailableException($"Kafka topic creation of [{string.Join(", ", topics)}] failed: {ex.Error.Code}: {ex.Error.Reason}", ex);
        }
    }
}
