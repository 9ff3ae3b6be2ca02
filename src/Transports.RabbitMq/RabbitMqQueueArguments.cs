using Messaging.Transport;

namespace Messaging.RabbitMq;

/// <summary>The names and <c>x-</c> arguments of the queues an endpoint owns, in one place so that declaring,
/// verifying and the tests agree.</summary>
internal static class RabbitMqQueueArguments
{
    /// <summary>The dead-letter queue of an endpoint: <c>&lt;endpoint&gt;.dlq</c>.</summary>
    public static string DeadLetterQueue(string endpoint) => endpoint + ".dlq";

    /// <summary>The retry queue of an endpoint for one delay: <c>&lt;endpoint&gt;.retry.&lt;ms&gt;</c>.</summary>
    public static string RetryQueue(string endpoint, long delayMs) => $"{endpoint}.retry.{delayMs}";

    public static string QueueType(RabbitMqOptions options) => options.QueueType == RabbitMqQueueType.Classic ? "classic" : "quorum";

    /// <summary>Endpoint queue: dead-letters (a broker-side reject) to <c>&lt;endpoint&gt;.dlq</c>.</summary>
    public static Dictionary<string, object?> Endpoint(ConsumerEndpoint endpoint, RabbitMqOptions options)
    {
        var arguments = new Dictionary<string, object?>
        {
            ["x-queue-type"] = QueueType(options),
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = DeadLetterQueue(endpoint.Name),
        };
        if (options.SingleActiveConsumer) arguments["x-single-active-consumer"] = true;
        return arguments;
    }

    public static Dictionary<string, object?> DeadLetter(RabbitMqOptions options) => new() { ["x-queue-type"] = QueueType(options) };

    /// <summary>
    /// Retry queue: nobody consumes it; each message waits <paramref name="delayMs"/> (<c>x-message-ttl</c>) and is
    /// then dead-lettered by the broker back to the endpoint queue. On quorum queues the dead-lettering is
    /// at-least-once (<c>x-dead-letter-strategy</c>, which needs <c>x-overflow = reject-publish</c>), so an
    /// expiring message is never dropped on the way back.
    /// </summary>
    public static Dictionary<string, object?> Retry(ConsumerEndpoint endpoint, long delayMs, RabbitMqOptions options)
    {
        var arguments = new Dictionary<string, object?>
        {
            ["x-queue-type"] = QueueType(options),
            ["x-message-ttl"] = delayMs,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = endpoint.Name,
        };
        if (options.QueueType == RabbitMqQueueType.Quorum)
        {
            arguments["x-dead-letter-strategy"] = "at-least-once";
            arguments["x-overflow"] = "reject-publish";
        }
        return arguments;
    }
}
