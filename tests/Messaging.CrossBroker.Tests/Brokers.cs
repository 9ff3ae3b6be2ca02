namespace Messaging.CrossBroker.Tests;

/// <summary>Where the two brokers are: MESSAGING_RABBITMQ / MESSAGING_KAFKA, else the local ones eng/ starts.</summary>
internal static class Brokers
{
    public static string RabbitMqUri =>
        Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/";

    public static string KafkaBootstrapServers
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MESSAGING_KAFKA") is { Length: > 0 } servers) return servers;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var file = Path.Combine(dir.FullName, ".state", "kafka.bootstrap");
                if (File.Exists(file)) return File.ReadAllText(file).Trim();
            }
            throw new InvalidOperationException("No Kafka: set MESSAGING_KAFKA or run `bash eng/kafka-mock.sh start`.");
        }
    }
}
