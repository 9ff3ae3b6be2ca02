using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq.Tests;

/// <summary>Raw looks at the broker's queues, independent of the transport under test.</summary>
internal static class BrokerQueues
{
    /// <summary>Ready messages in a queue; null when the queue does not exist.</summary>
    public static async Task<uint?> ReadyCountAsync(RabbitMqBroker broker, string queue)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Redeclares a queue with the given arguments: succeeds only if it exists durable with exactly these.</summary>
    public static async Task RedeclareAsync(RabbitMqBroker broker, string queue, Dictionary<string, object?> arguments)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
    }

    /// <summary>Takes the first message of a queue and returns it with requeue, <paramref name="times"/> times: what a
    /// consumer that crashes while handling it does to it. A consumer with prefetch 1, not basic.get, which a quorum queue
    /// with a single active consumer refuses; nothing else may consume the queue meanwhile. It cancels itself before the
    /// last return, so no further delivery reaches it.</summary>
    public static async Task ReturnUnackedAsync(RabbitMqBroker broker, string queue, int times, TimeSpan timeout)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 1, false);
        var returned = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            if (++returned == times) await channel.BasicCancelAsync(delivery.ConsumerTag);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
            if (returned == times) done.TrySetResult();
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{queue}' returned {returned} of {times} messages within {timeout.TotalSeconds:0} s.");
        }
    }
}
