using System.Collections.Concurrent;
using System.Text.Json;
using Messaging.Benchmarks.E2e;
using Npgsql;
using NpgsqlTypes;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>
/// Places orders, one transaction each: the business row and the outbox row in one prepared statement, one round
/// trip. Writers keep their own open connection and prepared command, so an order allocates only its row values.
/// </summary>
internal sealed class RawWriters(NpgsqlDataSource dataSource, int maxWriters) : IAsyncDisposable
{
    private readonly ConcurrentQueue<Writer> _idle = new();
    private readonly SemaphoreSlim _slots = new(maxWriters, maxWriters);

    public async Task PlaceAsync(long seq, int keys, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var writer = _idle.TryDequeue(out var idle) ? idle : await Writer.OpenAsync(dataSource, ct).ConfigureAwait(false);
            try
            {
                await writer.PlaceAsync(E2eModel.NewOrder(seq, keys), ct).ConfigureAwait(false);
            }
            catch
            {
                await writer.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _idle.Enqueue(writer);
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryDequeue(out var writer)) await writer.DisposeAsync().ConfigureAwait(false);
        _slots.Dispose();
    }

    private sealed class Writer : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlParameter<Guid> _id = new() { NpgsqlDbType = NpgsqlDbType.Uuid };
        private readonly NpgsqlParameter<long> _seq = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
        private readonly NpgsqlParameter<string> _customer = new() { NpgsqlDbType = NpgsqlDbType.Text };
        private readonly NpgsqlParameter<decimal> _amount = new() { NpgsqlDbType = NpgsqlDbType.Numeric };
        private readonly NpgsqlParameter<DateTime> _placedAt = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        private readonly NpgsqlParameter<Guid> _messageId = new() { NpgsqlDbType = NpgsqlDbType.Uuid };
        private readonly NpgsqlParameter<byte[]> _body = new() { NpgsqlDbType = NpgsqlDbType.Bytea };

        private Writer(NpgsqlConnection connection)
        {
            _connection = connection;
            _command = new NpgsqlCommand(RawSql.Place, connection) { Parameters = { _id, _seq, _customer, _amount, _placedAt, _messageId, _body } };
        }

        public static async Task<Writer> OpenAsync(NpgsqlDataSource dataSource, CancellationToken ct)
        {
            var writer = new Writer(await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false));
            await writer._command.PrepareAsync(ct).ConfigureAwait(false);
            return writer;
        }

        public Task PlaceAsync(E2eOrder order, CancellationToken ct)
        {
            _id.TypedValue = order.Id;
            _seq.TypedValue = order.Seq;
            _customer.TypedValue = order.CustomerId;
            _amount.TypedValue = order.Amount;
            _placedAt.TypedValue = order.PlacedAt;
            _messageId.TypedValue = Guid.CreateVersion7();
            _body.TypedValue = JsonSerializer.SerializeToUtf8Bytes(E2eModel.Event(order), RawJson.Default.OrderPlaced);
            return _command.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
