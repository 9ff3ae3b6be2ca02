using Messaging.Eng.KafkaMock;

namespace Messaging.CrossBroker.Tests;

/// <summary>Where the two brokers are: MESSAGING_RABBITMQ / MESSAGING_KAFKA, else the local ones eng/ starts.</summary>
internal static class Brokers
{
    public static string RabbitMqUri =>
        Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/";

    public static string KafkaBootstrapServers => LocalKafka.BootstrapServers()
        ?? throw new InvalidOperationException("No Kafka: set MESSAGING_KAFKA or run `bash eng/kafka-mock.sh start`.");
}
