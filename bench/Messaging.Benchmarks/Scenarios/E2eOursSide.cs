using System.Globalization;
using Messaging.Benchmarks.E2e;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Handling;
using Messaging.Outbox;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>Our side of e2e.orders and e2e.latency: one host that places orders, dispatches the outbox and consumes with the inbox, alive across rounds.</summary>
public sealed class E2eOursSide(string broker, string db, string flow = E2eFlows.Orders) : Contender(Ours), IOpenLoopContender
{
    private readonly E2eNames _names = E2eNames.For(Ours, broker, db, flow);
    private readonly RabbitAdmin _admin = new();
    private IHost? _host;

    private bool IsKafka => broker == "kafka";

    private IHost Build() => OurHost.Build(new()
    {
        ["Messaging:Transport"] = IsKafka ? "Kafka" : "RabbitMq",
        ["Messaging:Endpoint"] = _names.Queue,
        ["Messaging:RabbitMq:Prefetch"] = E2eOrders.Prefetch.ToString(CultureInfo.InvariantCulture),
        ["Messaging:RabbitMq:ConcurrentMessageLimit"] = E2eOrders.Concurrency.ToString(CultureInfo.InvariantCulture),
        ["Messaging:Kafka:MaxConcurrency"] = E2eOrders.Concurrency.ToString(CultureInfo.InvariantCulture),
        ["Messaging:Kafka:OrderingMode"] = "KeyOrder",
    }, m => m
        .Map<OrderPlaced>(_names.Destination, o => o.CustomerId, name: "order-placed")
        .AddHandler<OrderPlaced, E2eApplyHandler>("apply-order")
        .AddEntityFrameworkOutbox<E2eDbContext>(),
        s => s.AddDbContextPool<E2eDbContext>(o => BenchDatabase.Configure(o, db, _names.Database)));

    public override async Task SetupAsync(CancellationToken ct)
    {
        if (!IsKafka) await _admin.DeleteQueuesAsync([_names.Queue, _names.Queue + ".dlq"], ct);
        _host = Build();
        await WithDbAsync(async d =>
        {
            await d.Database.EnsureDeletedAsync(ct);
            await d.Database.EnsureCreatedAsync(ct);
            if (d.Database.IsSqlite()) await d.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        });
        // The queue is bound before the first publish (publishes are mandatory), as in a deployed service.
        if (!IsKafka) await _host.Services.GetRequiredService<IMessageTransport>().PrepareAsync([new ConsumerEndpoint(_names.Queue, [_names.Destination])], ct);
        await _host.StartAsync(ct);
    }

    /// <summary>Between rounds, with nothing in flight: empty the business, outbox and inbox tables.</summary>
    public override Task BeforeRunAsync(int messages, CancellationToken ct) => WithDbAsync(d => d.Database.IsSqlite()
        ? d.Database.ExecuteSqlRawAsync(E2eMapping.TruncateSql + " DELETE FROM messaging_outbox; DELETE FROM messaging_inbox;", ct)
        : d.Database.ExecuteSqlRawAsync($"TRUNCATE {E2eModel.OrdersTable}, {E2eModel.AppliedTable}, messaging_outbox, messaging_inbox;", ct));

    public override async Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
        await MeasureAsync(await E2eFlow.PlaceAsync(messages, PlaceAsync, ct), ct);

    public async Task<RunSample> RunOfferedAsync(int orders, double perSecond, CancellationToken ct) =>
        await MeasureAsync(await E2eFlow.OfferAsync(orders, perSecond, PlaceAsync, ct), ct);

    private async Task<RunSample> MeasureAsync(PlacedOrders placed, CancellationToken ct)
    {
        PeerReply? reply = null;
        await WithDbAsync(async d => reply = await E2eFlow.WaitAndMeasureAsync(d.Database.GetDbConnection(), placed, ct));
        return new RunSample(reply!.Messages, TimeSpan.FromMilliseconds(reply.ElapsedMs), reply.LatenciesMs) { Extra = reply.Extra };
    }

    /// <summary>One transaction: the order row and its outbox row, one SaveChangesAsync.</summary>
    private async Task PlaceAsync(long seq, CancellationToken ct)
    {
        await using var scope = _host!.Services.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<E2eDbContext>();
        var order = E2eModel.NewOrder(seq, E2eFlow.Keys);
        dbContext.Orders.Add(order);
        scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(E2eModel.Event(order));
        await dbContext.SaveChangesAsync(ct);
    }

    private async Task WithDbAsync(Func<E2eDbContext, Task> action)
    {
        await using var scope = _host!.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<E2eDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _host.StopAsync(timeout.Token);
                await WithDbAsync(d => d.Database.EnsureDeletedAsync());
            }
            catch (Exception)
            {
                // cleanup must not hide the measurement
            }
            _host.Dispose();
        }
        if (!IsKafka)
        {
            await _admin.DeleteQueuesAsync([_names.Queue, _names.Queue + ".dlq"], CancellationToken.None);
            await _admin.DeleteExchangesAsync([_names.Destination], CancellationToken.None);
        }
        await _admin.DisposeAsync();
    }
}

/// <summary>The row-writing handler; with the inbox it runs inside the inbox transaction.</summary>
public sealed class E2eApplyHandler(E2eDbContext db) : IMessageHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced message, MessageContext context, CancellationToken cancellationToken)
    {
        db.AppliedOrders.Add(AppliedOrder.For(message));
        await db.SaveChangesAsync(cancellationToken);
    }
}
