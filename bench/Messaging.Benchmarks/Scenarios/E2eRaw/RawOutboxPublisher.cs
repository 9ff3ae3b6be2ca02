using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Messaging.Benchmarks.Scenarios.E2eRaw;

/// <summary>Publishes a batch of outbox rows and completes when the broker confirmed every one; throws otherwise.</summary>
internal interface IRawSender : IAsyncDisposable
{
    Task SendAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct);
}

/// <summary>
/// The raw twin's dispatcher: one loop that claims unsent rows, publishes them as one batch with one wait for the
/// confirms, and marks them sent. Marking a batch and claiming the next share one NpgsqlBatch, so a cycle costs one
/// database round trip and one confirm round trip. A writer's commit wakes it (in process), so it never polls.
/// One loop and one channel or producer keep the rows' id order, so one key's orders are published in order; a
/// publish that fails stops the twin (see <see cref="IRawSender"/>) rather than re-send and reorder a key.
/// </summary>
internal sealed class RawOutboxPublisher : IAsyncDisposable
{
    /// <summary>Rows per claim (ours: Outbox BatchSize 500).</summary>
    private const int BatchSize = 500;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlBatch _batch;
    private readonly NpgsqlParameter<long[]> _sentIds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = [] };
    private readonly IRawSender _sender;
    private Task _loop = Task.CompletedTask;

    private RawOutboxPublisher(NpgsqlConnection connection, IRawSender sender)
    {
        _connection = connection;
        _sender = sender;
        _batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(RawSql.MarkSent) { Parameters = { _sentIds } },
                new NpgsqlBatchCommand(RawSql.Claim) { Parameters = { new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = BatchSize } } },
            },
        };
    }

    public static async Task<RawOutboxPublisher> StartAsync(NpgsqlDataSource dataSource, IRawSender sender, Action<Exception> fault, CancellationToken ct)
    {
        var publisher = new RawOutboxPublisher(await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false), sender);
        await publisher._batch.PrepareAsync(ct).ConfigureAwait(false);
        publisher._loop = Task.Run(async () =>
        {
            try { await publisher.RunAsync(publisher._stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (publisher._stop.IsCancellationRequested) { /* stopping */ }
            catch (Exception ex) { fault(ex); }
        }, CancellationToken.None);
        return publisher;
    }

    /// <summary>A row was committed: claim now. Cheap and never blocks; wakes pile up into one.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    private async Task RunAsync(CancellationToken stop)
    {
        var rows = new List<OutboxRow>(BatchSize);
        while (true)
        {
            // Taken before the claim: a commit after it wakes the next cycle, so no row waits for another commit.
            _wake.Reader.TryRead(out _);
            rows.Clear();
            await using (var reader = await _batch.ExecuteReaderAsync(stop).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(stop).ConfigureAwait(false))
                    rows.Add(new OutboxRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3)));
            }
            var sent = new long[rows.Count];
            for (var i = 0; i < rows.Count; i++) sent[i] = rows[i].Id;
            _sentIds.TypedValue = sent; // marked with the next claim
            if (rows.Count == 0)
            {
                await _wake.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
                continue;
            }
            await _sender.SendAsync(rows, stop).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _batch.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _sender.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
