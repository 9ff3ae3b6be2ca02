namespace Messaging.Transport;

/// <summary>Whether a transport's consumers consume, as the transport judges it while its broker answers (reported with
/// <see cref="TransportHealth.ReportConsumerCondition"/>, shown by the transport's health check).</summary>
public enum ConsumerCondition
{
    /// <summary>Receiving, or nothing waits for it: Healthy.</summary>
    Consuming,
    /// <summary>Connected but given nothing to consume for longer than the transport's bound (Kafka: this member of the
    /// consumer group has held no partition, during a long rebalance or with more members than partitions): Degraded.</summary>
    NotConsuming,
    /// <summary>Messages wait and none has been handled for longer than the transport's bound (Kafka: lag above zero and no
    /// offset advanced): Unhealthy, as nothing it accepts is delivered.</summary>
    Stalled,
}
