using Messaging.Eng.KafkaMock;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.RabbitMq;
using Messaging.Tests.Containers;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>A real broker for one test class, and what the application and the CLI are told to reach it.</summary>
public abstract class Broker
{
    public abstract string Transport { get; }
    public abstract Task StartAsync();
    public abstract ValueTask StopAsync();
    public abstract IReadOnlyDictionary<string, string?> Settings { get; }
    public abstract void Register(MessagingBuilder builder);

    /// <summary>The CLI's options to reach this broker.</summary>
    public abstract string[] CliArguments { get; }
}

/// <summary>RabbitMQ: a container per test class where Docker runs, else the local node (<see cref="RabbitMqServer"/> decides).</summary>
public sealed class RabbitBroker : Broker
{
    private RabbitMqServer? _server;

    public string Uri => _server!.Uri;
    public override string Transport => "RabbitMq";
    public override async Task StartAsync() => _server = await RabbitMqServer.StartAsync();
    public override async ValueTask StopAsync() { if (_server is not null) await _server.DisposeAsync(); }
    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Messaging:RabbitMq:Uri"] = Uri };
    public override void Register(MessagingBuilder builder) => builder.AddRabbitMq();
    public override string[] CliArguments => ["--rabbitmq-uri", Uri];
}

/// <summary>Kafka: MESSAGING_KAFKA, else the mock cluster eng/kafka-mock.sh runs, else one in this process.</summary>
public sealed class KafkaBroker : Broker
{
    private MockCluster? _inProcess;

    public string BootstrapServers { get; private set; } = "";
    public override string Transport => "Kafka";

    public override Task StartAsync()
    {
        BootstrapServers = LocalKafka.BootstrapServers() ?? (_inProcess = MockCluster.Start()).BootstrapServers;
        return Task.CompletedTask;
    }

    public override ValueTask StopAsync()
    {
        _inProcess?.Dispose();
        return ValueTask.CompletedTask;
    }

    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Kafka:BootstrapServers"] = BootstrapServers,
        ["Messaging:Kafka:SessionTimeoutMs"] = "6000", // the mock makes a re-joining member wait this long less a second
    };

    public override void Register(MessagingBuilder builder) => builder.AddKafka();
    public override string[] CliArguments => ["--kafka-bootstrap", BootstrapServers];
}

/// <summary>A broker and a database for one test class.</summary>
public abstract class OpsFixture(Broker broker, OpsDatabase database) : IAsyncLifetime
{
    public Broker Broker { get; } = broker;
    public OpsDatabase Database { get; } = database;

    public async Task InitializeAsync()
    {
        await Broker.StartAsync();
        await Database.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await Database.DropAsync();
        await Broker.StopAsync();
    }
}

public sealed class RabbitSqlite : OpsFixture
{
    public RabbitSqlite(Xunit.Abstractions.IMessageSink sink) : base(new RabbitBroker(), new SqliteOpsDatabase()) => DockerEngine.ReportTo(sink);
}

public sealed class RabbitPostgres : OpsFixture
{
    public RabbitPostgres(Xunit.Abstractions.IMessageSink sink) : base(new RabbitBroker(), new PostgresOpsDatabase()) => DockerEngine.ReportTo(sink);
}

public sealed class KafkaSqlite() : OpsFixture(new KafkaBroker(), new SqliteOpsDatabase());

public sealed class KafkaPostgres : OpsFixture
{
    public KafkaPostgres(Xunit.Abstractions.IMessageSink sink) : base(new KafkaBroker(), new PostgresOpsDatabase()) => DockerEngine.ReportTo(sink);
}

/// <summary>No broker: the in-memory transport, for the commands that need only the database.</summary>
public sealed class NoBroker : Broker
{
    public override string Transport => "InMemory";
    public override Task StartAsync() => Task.CompletedTask;
    public override ValueTask StopAsync() => ValueTask.CompletedTask;
    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();
    public override void Register(MessagingBuilder builder) { }
    public override string[] CliArguments => [];
}

public sealed class InMemorySqlite() : OpsFixture(new NoBroker(), new SqliteOpsDatabase());

public sealed class InMemoryPostgres : OpsFixture
{
    public InMemoryPostgres(Xunit.Abstractions.IMessageSink sink) : base(new NoBroker(), new PostgresOpsDatabase()) => DockerEngine.ReportTo(sink);
}
