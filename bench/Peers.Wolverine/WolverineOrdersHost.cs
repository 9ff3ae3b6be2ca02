using Confluent.Kafka;
using JasperFx;
using Messaging.Benchmarks.E2e;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.EntityFrameworkCore;
using Wolverine.Kafka;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;
using Wolverine.RabbitMQ.Internal;

namespace Messaging.Benchmarks.Peers.Wolverine;

/// <summary>
/// Wolverine configured for the guarantees ours gives in the e2e scenario (docs/benchmarks.md lists every knob):
/// PostgreSQL durable outbox through EF Core in the business transaction, publisher confirms (RabbitMQ) or
/// acks=all with the idempotent producer (Kafka), a durable inbox, per-key order with parallel keys.
/// </summary>
public static class WolverineOrdersHost
{
    public static IHost Build(PeerArguments args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // stdout carries the protocol: logs go to stderr.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(WolverineOrdersHost).Assembly;
            opts.UseRuntimeCompilation();
            opts.PersistMessagesWithPostgresql(args.Postgres, "wolverine");
            opts.Services.AddDbContextWithWolverineIntegration<PeerDbContext>(o => o.UseNpgsql(args.Postgres));
            opts.UseEntityFrameworkCoreTransactions();
            opts.Policies.AutoApplyTransactions();
            // Same retry budget as ours in the bench (Messaging:Retry:MaxAttempts = 1): no handler fails here anyway.
            opts.MessagePartitioning.ByMessage<OrderPlaced>(m => m.CustomerId);
            var slots = Slots(args.Concurrency);
            if (args.IsKafka) ConfigureKafka(opts, args, slots);
            else ConfigureRabbitMq(opts, args, slots);
        });
        return builder.Build();
    }

    private static void ConfigureRabbitMq(WolverineOptions opts, PeerArguments args, PartitionSlots slots)
    {
        opts.UseRabbitMq(new Uri(args.RabbitUri))
            // Off by default in Wolverine: without it a send counts as done before the broker has the message.
            .ConfigureChannelCreation(o =>
            {
                o.PublisherConfirmationsEnabled = true;
                o.PublisherConfirmationTrackingEnabled = true;
            })
            .DeclareExchange(args.Destination, e =>
            {
                e.ExchangeType = ExchangeType.Topic;
                e.BindQueue(args.Queue, "#");
            })
            .DeclareQueue(args.Queue, q => q.QueueType = QueueType.quorum)
            // Its own dead-letter queue, named like ours (<queue>.dlq), instead of the broker-wide default.
            .CustomizeDeadLetterQueueing(new DeadLetterQueue(args.Queue + ".dlq"))
            .AutoProvision();
        opts.PublishMessage<OrderPlaced>().ToRabbitExchange(args.Destination).UseDurableOutbox();
        opts.ListenToRabbitQueue(args.Queue)
            .QueueType(QueueType.quorum)
            .PreFetchCount((ushort)args.Prefetch)
            .DeadLetterQueueing(new DeadLetterQueue(args.Queue + ".dlq"))
            .UseDurableInbox()
            .PartitionProcessingByGroupId(slots);
    }

    private static void ConfigureKafka(WolverineOptions opts, PeerArguments args, PartitionSlots slots)
    {
        opts.UseKafka(args.KafkaBootstrap ?? throw new ArgumentException("--kafka is required for --broker kafka"))
            .UseIdempotentProducer()
            .ConfigureProducers(p =>
            {
                p.Acks = Acks.All;
                p.LingerMs = 5;
                p.Partitioner = Partitioner.Murmur2Random;
            })
            .ConfigureConsumers(c =>
            {
                c.GroupId = args.Queue;
                c.AutoOffsetReset = AutoOffsetReset.Earliest;
                c.AllowAutoCreateTopics = true;
            });
        // The order's customer is the Kafka key (DeliveryOptions.PartitionKey when placing), as ours.
        opts.PublishMessage<OrderPlaced>().ToKafkaTopic(args.Destination).UseDurableOutbox();
        opts.ListenToKafkaTopic(args.Destination)
            .UseDurableInbox()
            .ProcessConcurrentlyByKey(slots);
    }

    /// <summary>Wolverine offers odd slot counts only (its note: even counts spread keys unevenly).</summary>
    private static PartitionSlots Slots(int concurrency) => concurrency switch
    {
        <= 3 => PartitionSlots.Three,
        <= 5 => PartitionSlots.Five,
        <= 7 => PartitionSlots.Seven,
        _ => PartitionSlots.Nine,
    };
}
