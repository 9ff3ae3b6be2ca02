namespace Messaging.Kafka;

/// <summary>The consumer group's partition assignment strategy (<c>Messaging:Kafka:PartitionAssignmentStrategy</c>,
/// librdkafka <c>partition.assignment.strategy</c>). Every member of a group must use the same one.</summary>
public enum KafkaAssignmentStrategy
{
    /// <summary><c>cooperative-sticky</c> (KIP-429 incremental rebalancing): a rebalance revokes only the partitions
    /// that move, so the others keep being handled. The default.</summary>
    CooperativeSticky = 0,

    /// <summary><c>range</c> (eager): every rebalance revokes all partitions of every member first.</summary>
    Range = 1,

    /// <summary><c>roundrobin</c> (eager).</summary>
    RoundRobin = 2,
}
