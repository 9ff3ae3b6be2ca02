using System.Globalization;
using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Scenarios.E2eRaw;
using Npgsql;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// The raw floor of e2e.orders and e2e.latency (PostgreSQL only): the same flow and guarantees written by hand on Npgsql,
/// RabbitMQ.Client and Confluent.Kafka, no EF Core and nothing of ours. An order is one statement writing the business
/// row and the outbox row (<see cref="RawWriters"/>); one publisher loop publishes claimed rows as a batch with one
/// wait for the confirms and marks them sent (<see cref="RawOutboxPublisher"/>); the consumer applies what has
/// arrived per lane as one statement that writes the inbox rows and, for new ones only, the handler's rows
/// (<see cref="RawInboxLanes"/>), then acks or stores the offsets. Measured by the same shared code as the others.
/// </summary>
public sealed class E2eRawSide(string broker, string flow = E2eFlows.Orders) : Contender(Raw), IOpenLoopContender
{
    /// <summary>Consumer transactions in flight at once (keys or partitions spread over them); few, because each is a commit on 2 cores.</summary>
    private const int Lanes = 2;

    /// <summary>Writer connections at most; the open-loop runs may have more orders in flight, which then queue for one.</summary>
    private const int MaxWriters = 16;

    private readonly E2eNames _names = E2eNames.For(Raw, broker, "postgres", flow);
    private readonly RabbitAdmin _admin = new();
    private readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlDataSource? _dataSource;
    private RawWriters? _writers;
    private RawOutboxPublisher? _publisher;
    private IAsyncDisposable? _consumer;
    private volatile bool _disposing;

    private bool IsKafka => broker == "kafka";

    public override async Task SetupAsync(CancellationToken ct)
    {
        if (!IsKafka)
        {
            await _admin.DeleteQueuesAsync([_names.Queue], ct);
            await _admin.DeclareBoundQueueAsync(_names.Destination, "topic", _names.Queue, "quorum", ct);
        }
        await PostgresAdmin.RecreateAsync(_names.Database, ct);
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(BenchEnvironment.Postgres(_names.Database)) { MaxPoolSize = 40 });
        await ExecuteAsync(RawSql.Ddl, ct);
        _writers = new RawWriters(_dataSource, MaxWriters);
        _consumer = IsKafka
            ? await RawKafkaConsumer.StartAsync(_names.Destination, _names.Queue, Lanes, _dataSource, Fault, ct)
            : await RawRabbitConsumer.StartAsync(_names.Queue, E2eOrders.Prefetch, Lanes, _dataSource, Fault, ct);
        IRawSender sender = IsKafka ? new RawKafkaSender(_names.Destination) : await RawRabbitSender.CreateAsync(_names.Destination, ct);
        _publisher = await RawOutboxPublisher.StartAsync(_dataSource, sender, Fault, ct);
    }

    /// <summary>Between rounds, with nothing in flight: empty the business, outbox and inbox tables.</summary>
    public override Task BeforeRunAsync(int messages, CancellationToken ct) => ExecuteAsync(RawSql.Truncate, ct);

    public override async Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
        await MeasureAsync(await E2eFlow.PlaceAsync(messages, PlaceAsync, ct), ct);

    public async Task<RunSample> RunOfferedAsync(int orders, double perSecond, CancellationToken ct) =>
        await MeasureAsync(await E2eFlow.OfferAsync(orders, perSecond, PlaceAsync, ct), ct);

    private async Task PlaceAsync(long seq, CancellationToken ct)
    {
        await _writers!.PlaceAsync(seq, E2eFlow.Keys, ct);
        _publisher!.Wake();
    }

    /// <summary>The shared measurement, abandoned with the error if the publisher or the consumer failed meanwhile.</summary>
    private async Task<RunSample> MeasureAsync(PlacedOrders placed, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var connection = _dataSource!.CreateConnection();
        var measuring = E2eFlow.WaitAndMeasureAsync(connection, placed, stop.Token);
        if (await Task.WhenAny(measuring, _faulted.Task) != measuring)
        {
            await stop.CancelAsync();
            try { await measuring; } catch (OperationCanceledException) { /* abandoned */ }
            await _faulted.Task;
        }
        var reply = await measuring;
        return new RunSample(reply.Messages, TimeSpan.FromMilliseconds(reply.ElapsedMs), reply.LatenciesMs) { Extra = reply.Extra };
    }

    private void Fault(Exception ex)
    {
        if (_disposing || !_faulted.TrySetException(ex)) return;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   raw: stopped by {ex.GetType().Name}: {ex.Message}"));
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    public override async ValueTask DisposeAsync()
    {
        _disposing = true;
        try
        {
            if (_publisher is not null) await _publisher.DisposeAsync();
            if (_consumer is not null) await _consumer.DisposeAsync();
            if (_writers is not null) await _writers.DisposeAsync();
        }
        catch (Exception)
        {
            // cleanup must not hide the measurement
        }
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        try { await PostgresAdmin.DropAsync(_names.Database, CancellationToken.None); } catch (Exception) { /* cleanup */ }
        if (!IsKafka)
        {
            await _admin.DeleteQueuesAsync([_names.Queue], CancellationToken.None);
            await _admin.DeleteExchangesAsync([_names.Destination], CancellationToken.None);
        }
        await _admin.DisposeAsync();
    }
}
