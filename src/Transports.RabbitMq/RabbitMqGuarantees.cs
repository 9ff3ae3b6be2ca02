using System.Globalization;

namespace Messaging.RabbitMq;

/// <summary>The RabbitMQ transport's part of the start-up report.</summary>
internal static class RabbitMqGuarantees
{
    /// <summary>The sentence for <paramref name="endpoint"/> with the options <paramref name="o"/> in force.</summary>
    public static string Describe(RabbitMqOptions o, string endpoint) => string.Create(CultureInfo.InvariantCulture,
        $"publisher confirms on, persistent, mandatory (confirm wait {o.PublishTimeoutMs} ms, {o.MaxOutstandingConfirms} in flight); manual ack after the handler; " +
        $"{RabbitMqQueueArguments.QueueType(o)} queue {endpoint}, prefetch {o.Prefetch}, concurrency {o.ConcurrentMessageLimit}" +
        $"{(o.SingleActiveConsumer ? ", single active consumer" : "")}; dead-letter queue {RabbitMqQueueArguments.DeadLetterQueue(endpoint)}; topology {(o.DeclareTopology ? "declared" : "verified only")}");
}
