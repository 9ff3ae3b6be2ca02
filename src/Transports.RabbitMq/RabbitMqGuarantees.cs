using System.Globalization;
using Messaging.Hosting;

namespace Messaging.RabbitMq;

/// <summary>The RabbitMQ transport's part of the start-up report.</summary>
internal static class RabbitMqGuarantees
{
    public static GuaranteeStatement Statement(RabbitMqOptions o) => new(RabbitMqTransport.TransportName, GuaranteeStatement.TransportTopic,
        endpoint => string.Create(CultureInfo.InvariantCulture,
            $"publisher confirms on, persistent, mandatory (confirm wait {o.PublishTimeoutMs} ms, {o.MaxOutstandingConfirms} in flight); manual ack after the handler; " +
            $"{RabbitMqQueueArguments.QueueType(o)} queue {endpoint}, prefetch {o.Prefetch}, concurrency {o.ConcurrentMessageLimit}" +
            $"{(o.SingleActiveConsumer ? ", single active consumer" : "")}; dead-letter queue {RabbitMqQueueArguments.DeadLetterQueue(endpoint)}; topology {(o.DeclareTopology ? "declared" : "verified only")}"));
}
