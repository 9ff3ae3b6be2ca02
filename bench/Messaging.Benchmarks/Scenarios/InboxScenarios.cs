using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Handling;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>
/// The inbox: the same consumer host (RabbitMQ quorum queue, prefetch 100, preloaded untimed) with and without
/// AddEntityFrameworkOutbox (which adds the inbox filter). 'raw' here means "ours without the inbox". Both handle
/// <see cref="Concurrency"/> messages at once (per-key lanes over the 64 keys), so the inbox can batch its commits.
/// </summary>
public static class InboxScenarios
{
    private const int BodyBytes = 256;

    /// <summary>Messages handled at once on both sides (<c>Messaging:RabbitMq:ConcurrentMessageLimit</c>).</summary>
    public const int Concurrency = 32;

    public static Scenario Create(string db, bool writesRow) => new(
        $"inbox.rabbitmq.{(writesRow ? "write-row" : "noop")}.{db}", 0.1,
        () => [new Side(Contender.Ours, db, writesRow, inbox: true), new Side(Contender.Raw, db, writesRow, inbox: false)],
        (writesRow
            ? "handler adds one business row and saves (with the inbox: inside the inbox transaction)"
            : "no-op handler (with the inbox: inbox row + transaction around nothing)")
        + $"; {Concurrency} at a time (prefetch 200); ours = with the inbox, raw = the same host without it; rate from first to last handled",
        // Issue 17: >= 0.8 x without for a handler that writes a row, >= 0.5 x for a no-op handler.
        writesRow ? new Target("with inbox >= 0.8 x without", r => r.Ratio >= 0.8) : new Target("with inbox >= 0.5 x without", r => r.Ratio >= 0.5));

    private sealed class Side(string role, string db, bool writesRow, bool inbox) : Contender(role)
    {
        private readonly string _queue = $"bench.inbox.{role}";
        private string Exchange => _queue + ".x";
        private string DbName => $"bench-inbox-{Role}";
        private readonly RabbitAdmin _admin = new();
        private IHost? _loader;
        private IHost? _consumer;

        private IHost Build(bool consume) => OurHost.Build(new()
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:Endpoint"] = _queue,
            ["Messaging:RabbitMq:Prefetch"] = "200",
            ["Messaging:RabbitMq:ConcurrentMessageLimit"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, m =>
        {
            m.Map<BenchMessage>(Exchange, x => x.Key, name: "bench-message");
            if (!consume) return;
            if (writesRow) m.AddHandler<BenchMessage, WriteRowHandler>("write-row");
            else m.AddHandler<BenchMessage, NoopHandler>("noop");
            if (inbox) m.AddEntityFrameworkOutbox<BenchDbContext>();
        }, s => s.AddDbContextPool<BenchDbContext>(o => BenchDatabase.Configure(o, db, DbName)));

        public override async Task SetupAsync(CancellationToken ct)
        {
            await _admin.DeleteQueuesAsync([_queue, _queue + ".dlq"], ct);
            _loader = Build(consume: false);
            await _loader.StartAsync(ct);
            await _loader.Services.GetRequiredService<IMessageTransport>().PrepareAsync([new ConsumerEndpoint(_queue, [Exchange])], ct);
            await using var scope = _loader.Services.CreateAsyncScope();
            await BenchDatabase.ResetAsync(scope.ServiceProvider.GetRequiredService<BenchDbContext>(), ct);
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            await _admin.PurgeAsync(_queue, ct);
            await using (var scope = _loader!.Services.CreateAsyncScope())
                await BenchDatabase.TruncateAsync(scope.ServiceProvider.GetRequiredService<BenchDbContext>(), ct);
            var publisher = _loader.Services.GetRequiredService<IMessagePublisher>();
            await Load.WindowedAsync(messages, 256, i => publisher.PublishAsync(Payloads.Message(i, BodyBytes), cancellationToken: ct), ct);
            await _admin.WaitForReadyAsync(_queue, messages, ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            _consumer = Build(consume: true);
            return await OurHost.StartAndWaitForHandledAsync(_consumer, messages, ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            await OurHost.StopQuietlyAsync(_consumer);
            _consumer = null;
        }

        public override async ValueTask DisposeAsync()
        {
            await OurHost.StopQuietlyAsync(_loader);
            await _admin.DeleteQueuesAsync([_queue, _queue + ".dlq"], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }
}

/// <summary>A handler with a database effect: one business row per message.</summary>
public sealed class WriteRowHandler(BenchDbContext db, Probe probe) : IMessageHandler<BenchMessage>
{
    public async Task HandleAsync(BenchMessage message, MessageContext context, CancellationToken cancellationToken)
    {
        db.Orders.Add(BenchOrder.New(message.Seq));
        await db.SaveChangesAsync(cancellationToken);
        probe.Hit();
    }
}
