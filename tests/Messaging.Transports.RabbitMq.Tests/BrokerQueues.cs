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
    /// consumer that crashes while handling it does to it.</summary>
    public static async Task ReturnUnackedAsync(RabbitMqBroker broker, string queue, int times, TimeSpan timeout)
    {
        await using var connection = await broker.OpenConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var deadline = DateTime.UtcNow + timeout;
        for (var returned = 0; returned < times;)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false);
            if (got is null)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"No message in '{queue}' within {timeout.TotalSeconds:0} s.");
                await Task.Delay(20);
                continue;
            }
            await channel.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true);
            returned++;
        }
    }
}
