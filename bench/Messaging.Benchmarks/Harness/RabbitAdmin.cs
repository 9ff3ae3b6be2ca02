using RabbitMQ.Client;

namespace Messaging.Benchmarks.Harness;

/// <summary>A raw connection for topology chores: declare, purge, delete (never timed).</summary>
public sealed class RabbitAdmin : IAsyncDisposable
{
    private IConnection? _connection;

    public static ConnectionFactory Factory(string name) => new() { Uri = new Uri(BenchEnvironment.RabbitUri), ClientProvidedName = name };

    public async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken) =>
        _connection ??= await Factory("bench-admin").CreateConnectionAsync(cancellationToken);

    public async Task WithChannelAsync(Func<IChannel, Task> action, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await action(channel);
    }

    /// <summary>Deletes the queues (ignoring missing ones), each on its own channel since a failure closes the channel.</summary>
    public async Task DeleteQueuesAsync(IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        foreach (var queue in queues)
        {
            try { await WithChannelAsync(c => c.QueueDeleteAsync(queue, cancellationToken: cancellationToken), cancellationToken); }
            catch (Exception ex) when (ex is not OperationCanceledException) { /* missing */ }
        }
    }

    public async Task DeleteExchangesAsync(IEnumerable<string> exchanges, CancellationToken cancellationToken)
    {
        foreach (var exchange in exchanges)
        {
            try { await WithChannelAsync(c => c.ExchangeDeleteAsync(exchange, cancellationToken: cancellationToken), cancellationToken); }
            catch (Exception ex) when (ex is not OperationCanceledException) { /* missing */ }
        }
    }

    public Task PurgeAsync(string queue, CancellationToken cancellationToken) =>
        WithChannelAsync(c => c.QueuePurgeAsync(queue, cancellationToken), cancellationToken);

    /// <summary>Waits until the queue holds <paramref name="count"/> ready messages (publisher confirms can precede the queue's count).</summary>
    public async Task WaitForReadyAsync(string queue, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            uint ready = 0;
            await WithChannelAsync(async c => ready = await c.MessageCountAsync(queue, cancellationToken), cancellationToken);
            if (ready >= count) return;
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Declares a durable topic exchange and a durable queue of the type bound to it with <c>#</c>, like our transport's endpoint.</summary>
    public Task DeclareBoundQueueAsync(string exchange, string exchangeType, string queue, string queueType, CancellationToken cancellationToken) =>
        WithChannelAsync(async c =>
        {
            await c.ExchangeDeclareAsync(exchange, exchangeType, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await c.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = queueType }, cancellationToken: cancellationToken);
            await c.QueueBindAsync(queue, exchange, "#", cancellationToken: cancellationToken);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            try { await _connection.CloseAsync(); } catch (Exception) { /* closing */ }
            _connection.Dispose();
        }
    }
}
