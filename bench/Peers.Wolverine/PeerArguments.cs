namespace Messaging.Benchmarks.Peers.Wolverine;

/// <summary>What the harness decides and passes on the command line: broker, servers and names, so both contenders share them.</summary>
public sealed record PeerArguments(string Broker, string Postgres, string RabbitUri, string? KafkaBootstrap, string Destination, string Queue, int Keys, int Concurrency, int Prefetch)
{
    public bool IsKafka => Broker == "kafka";

    public static PeerArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name value pairs, got '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        int Number(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        var broker = Required("broker");
        if (broker is not ("rabbitmq" or "kafka")) throw new ArgumentException($"--broker is '{broker}'; allowed: rabbitmq, kafka");
        return new PeerArguments(broker, Required("postgres"), values.GetValueOrDefault("rabbitmq", "amqp://guest:guest@127.0.0.1:5672/"),
            values.GetValueOrDefault("kafka"), Required("destination"), Required("queue"), Number("keys", 64), Number("concurrency", 5), Number("prefetch", 100));
    }
}
