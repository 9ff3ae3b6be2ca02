using Messaging.Benchmarks.E2e;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Wolverine;
using Wolverine.EntityFrameworkCore;
using Wolverine.Runtime;

namespace Messaging.Benchmarks.Peers.Wolverine;

/// <summary>The commands of the protocol, on a Wolverine host that lives from setup to exit (like ours across rounds).</summary>
public sealed class OrdersPeer(PeerArguments args) : IAsyncDisposable
{
    private IHost? _host;

    /// <summary>The harness created the empty database; the business tables are made here, Wolverine's own at host start.</summary>
    public async Task SetupAsync(CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(args.Postgres))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(E2eMapping.PostgresDdl, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        _host = WolverineOrdersHost.Build(args);
        await _host.StartAsync(ct);
    }

    /// <summary>Between rounds, with nothing in flight: empty the business tables and Wolverine's envelope tables.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(args.Postgres))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(E2eMapping.TruncateSql, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        await Host.Services.GetRequiredService<IWolverineRuntime>().Storage.Admin.ClearAllAsync();
    }

    /// <summary>A round: as fast as the writers go, or offered at <paramref name="perSecond"/> (open loop) when above 0.</summary>
    public async Task<PeerReply> RunAsync(int orders, double perSecond, CancellationToken ct)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var placed = perSecond > 0 ? await E2eFlow.OfferAsync(orders, perSecond, PlaceAsync, ct) : await E2eFlow.PlaceAsync(orders, PlaceAsync, ct);
        await using var connection = new NpgsqlConnection(args.Postgres);
        var reply = await E2eFlow.WaitAndMeasureAsync(connection, placed, ct);
        return reply with { AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore };
    }

    /// <summary>One transaction: the order row and its message through Wolverine's EF Core outbox, flushed on commit.</summary>
    private async Task PlaceAsync(long seq, CancellationToken ct)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IDbContextOutbox<PeerDbContext>>();
        var order = E2eModel.NewOrder(seq, args.Keys);
        outbox.DbContext.Orders.Add(order);
        await outbox.PublishAsync(E2eModel.Event(order), args.IsKafka ? new DeliveryOptions { PartitionKey = order.CustomerId } : null);
        await outbox.SaveChangesAndFlushMessagesAsync(ct);
    }

    private IHost Host => _host ?? throw new InvalidOperationException("setup first");

    public async ValueTask DisposeAsync()
    {
        if (_host is null) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _host.StopAsync(timeout.Token); }
        catch (OperationCanceledException) { /* the harness kills us if we hang */ }
        _host.Dispose();
        _host = null;
    }
}
