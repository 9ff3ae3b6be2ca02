using Messaging.Eng.KafkaMock;
using Messaging.Tests.Containers;

namespace Messaging.CrossBroker.Tests;

/// <summary>The RabbitMQ broker of one test class: MESSAGING_RABBITMQ, else a fresh container, else the local node
/// (<see cref="RabbitMqServer"/> decides).</summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private RabbitMqServer? _server;

    public RabbitMqBroker(Xunit.Abstractions.IMessageSink sink) => DockerEngine.ReportTo(sink);

    public string Uri => _server?.Uri ?? throw new InvalidOperationException("The broker fixture has not started yet.");

    public async Task InitializeAsync() => _server = await RabbitMqServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>Where Kafka is: MESSAGING_KAFKA, else the mock cluster eng/kafka-mock.sh starts (no Kafka image can be
/// built here).</summary>
internal static class Brokers
{
    public static string KafkaBootstrapServers => LocalKafka.BootstrapServers()
        ?? throw new InvalidOperationException("No Kafka: set MESSAGING_KAFKA or run `bash eng/kafka-mock.sh start`.");
}
