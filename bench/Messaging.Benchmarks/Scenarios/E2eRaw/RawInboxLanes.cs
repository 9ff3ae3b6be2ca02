using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// The raw twin's consumer side after the broker: a few lanes, each with its own connection, each applying what has
/// arrived for it as one batch: inbox rows and the handler's rows in one prepared statement (<see cref="RawSql.Apply"/>),
/// one transaction, one round trip. The broker's reader picks the lane by partition key (RabbitMQ) or partition
/// (Kafka), and a lane applies its batches one after another, so one key's messages are applied in order. Only after
/// the statement returned (committed) is <c>applied</c> called, which acks or stores the offsets.
/// </summary>
internal sealed class RawInboxLanes : IAsyncDisposable
{
    /// <summary>Messages per transaction at most.</summary>
    private const int MaxBatch = 500;

    private readonly Lane[] _lanes;
    private readonly Func<ReceivedOrder[], int, Task> _applied;
    private readonly Action<Exception> _fault;
    private Task[] _loops = [];

    private RawInboxLanes(Lane[] lanes, Func<ReceivedOrder[], int, Task> applied, Action<Exception> fault)
    {
        _lanes = lanes;
        _applied = applied;
        _fault = fault;
    }

    public int Count => _lanes.Length;

    /// <summary>Opens a connection per lane, prepares the statement, starts the lanes. <paramref name="applied"/> gets each committed batch.</summary>
    public static async Task<RawInboxLanes> StartAsync(NpgsqlDataSource dataSource, int lanes, Func<ReceivedOrder[], int, Task> applied, Action<Exception> fault, CancellationToken ct)
    {
        var opened = new Lane[lanes];
        for (var i = 0; i < lanes; i++) opened[i] = await Lane.OpenAsync(dataSource, ct).ConfigureAwait(false);
        var result = new RawInboxLanes(opened, applied, fault);
        result._loops = opened.Select(lane => Task.Run(() => result.RunAsync(lane), CancellationToken.None)).ToArray();
        return result;
    }

    /// <summary>Queues a received message on its lane (never blocks: the broker's prefetch or the topic bounds what arrives).</summary>
    public void Post(int lane, in ReceivedOrder order) => _lanes[lane].Queue.Writer.TryWrite(order);

    private async Task RunAsync(Lane lane)
    {
        var batch = new ReceivedOrder[MaxBatch];
        try
        {
            while (await lane.Queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var count = 0;
                while (count < MaxBatch && lane.Queue.Reader.TryRead(out var order)) batch[count++] = order;
                await lane.ApplyAsync(batch, count).ConfigureAwait(false);
                await _applied(batch, count).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _fault(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes) lane.Queue.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        foreach (var lane in _lanes) await lane.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Lane : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlParameter<Guid[]> _messageIds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
        private readonly NpgsqlParameter<Guid[]> _orderIds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
        private readonly NpgsqlParameter<long[]> _seqs = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };
        private readonly NpgsqlParameter<string[]> _customers = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
        private readonly NpgsqlParameter<long> _appliedAt = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
        private readonly HashSet<Guid> _seen = [];

        public Channel<ReceivedOrder> Queue { get; } = Channel.CreateUnbounded<ReceivedOrder>(new UnboundedChannelOptions { SingleReader = true });

        private Lane(NpgsqlConnection connection)
        {
            _connection = connection;
            _command = new NpgsqlCommand(RawSql.Apply, connection) { Parameters = { _messageIds, _orderIds, _seqs, _customers, _appliedAt } };
        }

        public static async Task<Lane> OpenAsync(NpgsqlDataSource dataSource, CancellationToken ct)
        {
            var lane = new Lane(await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false));
            await lane._command.PrepareAsync(ct).ConfigureAwait(false);
            return lane;
        }

        /// <summary>One statement for the batch. A message id twice in one batch (a redelivery) is applied once, as the inbox would across batches.</summary>
        public Task ApplyAsync(ReceivedOrder[] batch, int count)
        {
            _seen.Clear();
            var messageIds = new Guid[count];
            var orderIds = new Guid[count];
            var seqs = new long[count];
            var customers = new string[count];
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                var received = batch[i];
                if (!_seen.Add(received.MessageId)) continue;
                messageIds[n] = received.MessageId;
                orderIds[n] = received.Order.OrderId;
                seqs[n] = received.Order.Seq;
                customers[n++] = received.Order.CustomerId;
            }
            if (n < count)
            {
                Array.Resize(ref messageIds, n);
                Array.Resize(ref orderIds, n);
                Array.Resize(ref seqs, n);
                Array.Resize(ref customers, n);
            }
            _messageIds.TypedValue = messageIds;
            _orderIds.TypedValue = orderIds;
            _seqs.TypedValue = seqs;
            _customers.TypedValue = customers;
            // The handler's clock, taken before its transaction commits, as every contender's handler does.
            _appliedAt.TypedValue = DateTime.UtcNow.Ticks;
            return _command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
