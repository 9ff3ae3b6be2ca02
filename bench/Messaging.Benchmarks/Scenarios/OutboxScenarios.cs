using System.Diagnostics;
using Messaging.Benchmarks.Harness;
using Messaging.Benchmarks.Model;
using Messaging.Diagnostics;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Messaging.Benchmarks.Scenarios;

/// <summary>The outbox: its cost inside a business transaction, the dispatcher's drain rate, and commit-to-confirm latency.</summary>
public static class OutboxScenarios
{
    private const int BodyBytes = 256;

    public static Scenario Transaction(string db, int businessRows) => new(
        businessRows == 1 ? $"outbox.transaction.{db}" : $"outbox.transaction.{businessRows}rows.{db}", 0.1,
        () => [new TransactionSide(Contender.Ours, db, withOutbox: true, businessRows), new TransactionSide(Contender.Raw, db, withOutbox: false, businessRows)],
        $"one transaction (new scope, Add {businessRows} business row(s), SaveChangesAsync); ours adds one outbox row with IOutbox.Enqueue, "
        + "'raw' is the same transaction without it; dispatcher not running; msgs/s = transactions/s, latency = one SaveChangesAsync"
        + (businessRows == 1 ? " (EF Core sends a lone INSERT without BEGIN/COMMIT; with the outbox row it needs both)" : ""),
        new Target("with outbox >= 0.85 x without", r => r.Ratio >= 0.85));

    /// <summary>The dispatcher's drain; <paramref name="keys"/> partition keys (64 keeps the scenario's historic name).</summary>
    public static Scenario Drain(string db, string transport, int keys = Payloads.DefaultKeys) => new(
        $"outbox.drain.{db}.{transport.ToLowerInvariant()}" + (keys == Payloads.DefaultKeys ? "" : $".{keys}keys"), 1.0,
        () => [new DrainSide(db, transport, keys)],
        $"N pending rows with {keys} partition keys committed beforehand; the dispatcher (defaults: BatchSize 500, StrictPerKey) publishes them to {transport} "
        + "with confirms and marks them sent; timed from host start to the last confirm counted",
        DrainTarget(db, transport, keys));

    /// <summary>Issue 17: strict per-key order, PostgreSQL to RabbitMQ, at least 15,000 rows/s with 64 keys and 25,000 with 1,000.</summary>
    private static Target? DrainTarget(string db, string transport, int keys)
    {
        if (db != "postgres" || transport != "RabbitMq") return null;
        var rate = keys >= 1000 ? 25_000 : 15_000;
        return new Target($">= {rate:N0} msgs/s", r => r.Ours >= rate);
    }

    public static Scenario Latency(string db) => new(
        $"outbox.latency.{db}.rabbitmq", 0.1,
        () => [new LatencySide(db)],
        "one row per transaction; first back-to-back to find the maximum rate (extra.maxRate), then paced at half of it: "
        + "msgs/s = the paced rate, p50/p99 = commit of the row to the broker's confirm of the batch carrying it",
        new Target("p50 <= 5 ms and p99 <= 50 ms at half load", r => r.P50Ms <= 5 && r.P99Ms <= 50));

    private static IHost BuildHost(string db, string dbName, string transport, string destination, bool outbox, Action<IServiceCollection>? services = null) =>
        OurHost.Build(new()
        {
            ["Messaging:Transport"] = transport,
            ["Messaging:Endpoint"] = "bench-outbox",
        }, m =>
        {
            m.Map<BenchMessage>(destination, x => x.Key, name: "bench-message");
            if (outbox) m.AddEntityFrameworkOutbox<BenchDbContext>();
        }, s =>
        {
            s.AddDbContextPool<BenchDbContext>(o => BenchDatabase.Configure(o, db, dbName));
            services?.Invoke(s);
        });

    private static async Task WithDbAsync(IHost host, Func<BenchDbContext, Task> action)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<BenchDbContext>());
    }

    private sealed class TransactionSide(string role, string db, bool withOutbox, int businessRows) : Contender(role)
    {
        private IHost? _host;

        public override async Task SetupAsync(CancellationToken ct)
        {
            _host = BuildHost(db, $"bench-tx-{Role}", "InMemory", "bench.outbox", outbox: true);
            await WithDbAsync(_host, d => BenchDatabase.ResetAsync(d, ct));
        }

        public override Task BeforeRunAsync(int messages, CancellationToken ct) => WithDbAsync(_host!, d => BenchDatabase.TruncateAsync(d, ct));

        public override Task<RunSample> RunAsync(int messages, CancellationToken ct) =>
            Load.OneAtATimeAsync(messages, async i =>
            {
                await using var scope = _host!.Services.CreateAsyncScope();
                var dbContext = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                for (var row = 0; row < businessRows; row++) dbContext.Orders.Add(BenchOrder.New(i));
                if (withOutbox) scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(Payloads.Message(i, BodyBytes));
                await dbContext.SaveChangesAsync(ct);
            }, ct);

        public override async ValueTask DisposeAsync()
        {
            if (_host is not null) _host.Dispose();
            await Task.CompletedTask;
        }
    }

    /// <summary>RabbitMQ needs a queue bound to the destination (publishes are mandatory); Kafka auto-creates the topic.</summary>
    private static async Task PrepareDestinationAsync(RabbitAdmin admin, string transport, string destination, CancellationToken ct)
    {
        if (transport != "RabbitMq") return;
        await admin.DeleteQueuesAsync([destination + ".q"], ct);
        await admin.DeclareBoundQueueAsync(destination, "topic", destination + ".q", "quorum", ct);
    }

    private sealed class DrainSide(string db, string transport, int keys) : Contender(Ours)
    {
        private readonly string _destination = transport == "RabbitMq" ? $"bench.outbox.drain.{keys}keys.{BenchRun.Id}" : $"bench-outbox-drain-{Guid.NewGuid():N}"[..28];
        private readonly RabbitAdmin _admin = new();
        private IHost? _host;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await PrepareDestinationAsync(_admin, transport, _destination, ct);
            using var host = BuildHost(db, "bench-drain", transport, _destination, outbox: true);
            await WithDbAsync(host, d => BenchDatabase.ResetAsync(d, ct));
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            if (transport == "RabbitMq") await _admin.PurgeAsync(_destination + ".q", ct);
            _host = BuildHost(db, "bench-drain", transport, _destination, outbox: true);
            await WithDbAsync(_host, d => BenchDatabase.TruncateAsync(d, ct));
            for (var first = 0; first < messages; first += 1000)
            {
                await using var scope = _host.Services.CreateAsyncScope();
                var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
                for (var i = first; i < Math.Min(messages, first + 1000); i++) outbox.Enqueue(Payloads.Message(i, BodyBytes, keys));
                await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync(ct);
            }
            // Connect before the clock starts, as a running service would be.
            await _host.Services.GetRequiredService<IMessageTransport>().PrepareAsync([], ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            var statistics = _host!.Services.GetRequiredService<MessagingStatistics>();
            var started = Stopwatch.GetTimestamp();
            await _host.StartAsync(ct);
            while (statistics.Published < messages) await Task.Delay(1, ct);
            return new RunSample(messages, Stopwatch.GetElapsedTime(started), null);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            await OurHost.StopQuietlyAsync(_host);
            _host = null;
        }

        public override async ValueTask DisposeAsync()
        {
            await OurHost.StopQuietlyAsync(_host);
            if (transport == "RabbitMq")
            {
                await _admin.DeleteQueuesAsync([_destination + ".q"], CancellationToken.None);
                await _admin.DeleteExchangesAsync([_destination], CancellationToken.None);
            }
            await _admin.DisposeAsync();
        }
    }

    private sealed class LatencySide(string db) : Contender(Ours)
    {
        private const string Destination = "bench.outbox.latency";
        private readonly RabbitAdmin _admin = new();
        private IHost? _host;
        private ConfirmClock? _clock;

        public override async Task SetupAsync(CancellationToken ct)
        {
            await PrepareDestinationAsync(_admin, "RabbitMq", Destination, ct);
            using var host = BuildHost(db, "bench-latency", "RabbitMq", Destination, outbox: true);
            await WithDbAsync(host, d => BenchDatabase.ResetAsync(d, ct));
        }

        public override async Task BeforeRunAsync(int messages, CancellationToken ct)
        {
            await _admin.PurgeAsync(Destination + ".q", ct);
            _host = BuildHost(db, "bench-latency", "RabbitMq", Destination, outbox: true, services =>
            {
                // Decorate the transport the dispatcher publishes through.
                var original = services.Last(d => d.ServiceType == typeof(IMessageTransport));
                services.Replace(ServiceDescriptor.Singleton<IMessageTransport>(sp =>
                    new ConfirmClock((IMessageTransport)original.ImplementationFactory!(sp))));
            });
            await WithDbAsync(_host, d => BenchDatabase.TruncateAsync(d, ct));
            _clock = (ConfirmClock)_host.Services.GetRequiredService<IMessageTransport>();
            await _host.StartAsync(ct);
        }

        public override async Task<RunSample> RunAsync(int messages, CancellationToken ct)
        {
            var clock = _clock!;
            // 1. The maximum: one writer committing back to back, until the last confirm.
            var calibration = Math.Max(10, messages / 2);
            clock.Reset();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calibration; i++) await CommitAsync(i, ct);
            while (clock.Confirmed < calibration) await Task.Delay(1, ct);
            var maxRate = calibration / Stopwatch.GetElapsedTime(started).TotalSeconds;

            // 2. Half of it, paced; latency per message.
            var rate = maxRate / 2;
            clock.Reset();
            started = Stopwatch.GetTimestamp();
            for (var i = 0; i < messages; i++)
            {
                var due = started + (long)(i / rate * Stopwatch.Frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                await CommitAsync(calibration + i, ct);
            }
            while (clock.Latencies.Length < messages) await Task.Delay(1, ct);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new RunSample(messages, elapsed, clock.Latencies) { Extra = new Dictionary<string, double> { ["maxRate"] = Math.Round(maxRate) } };
        }

        private async Task CommitAsync(long seq, CancellationToken ct)
        {
            await using var scope = _host!.Services.CreateAsyncScope();
            var dbContext = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var messageId = Envelope.NewMessageId();
            // Subscribed before the outbox's own handler, so the commit is noted before the dispatcher is woken.
            dbContext.SavedChanges += (_, _) => _clock!.Committed(messageId);
            dbContext.Orders.Add(BenchOrder.New(seq));
            scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(Payloads.Message(seq, BodyBytes), new PublishOptions { MessageId = messageId });
            await dbContext.SaveChangesAsync(ct);
        }

        public override async Task AfterRunAsync(CancellationToken ct)
        {
            await OurHost.StopQuietlyAsync(_host);
            _host = null;
        }

        public override async ValueTask DisposeAsync()
        {
            await OurHost.StopQuietlyAsync(_host);
            await _admin.DeleteQueuesAsync([Destination + ".q"], CancellationToken.None);
            await _admin.DisposeAsync();
        }
    }
}
