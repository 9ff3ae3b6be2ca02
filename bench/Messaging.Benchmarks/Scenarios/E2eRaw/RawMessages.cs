using System.Text.Json.Serialization;
using Messaging.Benchmarks.E2e;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>An outbox row claimed by the publisher.</summary>
internal readonly record struct OutboxRow(long Id, Guid MessageId, string PartitionKey, byte[] Body);

/// <summary>
/// A message read from the broker, waiting in its lane. <paramref name="Position"/> is what the broker needs back
/// once it is applied: the RabbitMQ delivery tag, or the Kafka offset of <paramref name="Partition"/>.
/// </summary>
internal readonly record struct ReceivedOrder(Guid MessageId, OrderPlaced Order, int Partition, long Position);

/// <summary>System.Text.Json source generation for the body: the raw twin serializes without reflection.</summary>
[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class RawJson : JsonSerializerContext;

/// <summary>The message id on the wire: AMQP's message-id property, or this Kafka header (16 bytes).</summary>
internal static class RawWire
{
    public const string MessageIdHeader = "message-id";
}
