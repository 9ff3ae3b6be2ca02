namespace Messaging.Benchmarks.Harness;

/// <summary>Where the brokers are: the same environment variables as eng/ and the tests, else the local defaults.</summary>
public static class BenchEnvironment
{
    public static string RabbitUri =>
        Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } uri ? uri : "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Npgsql connection string of a benchmark database (loopback without TLS, for every contender).</summary>
    public static string Postgres(string database) =>
        (Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") is { Length: > 0 } pg ? pg : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres")
        + $";Database={database};Maximum Pool Size=20;SSL Mode=Disable";

    /// <summary>Kafka bootstrap servers: MESSAGING_KAFKA, else the mock cluster's .state/kafka.bootstrap (eng/kafka-mock.sh start).</summary>
    public static string Kafka
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MESSAGING_KAFKA") is { Length: > 0 } kafka) return kafka;
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var file = Path.Combine(dir.FullName, ".state", "kafka.bootstrap");
                    if (File.Exists(file)) return File.ReadAllText(file).Trim();
                    if (File.Exists(Path.Combine(dir.FullName, "Messaging.sln"))) break;
                }
            }
            throw new InvalidOperationException("No Kafka: set MESSAGING_KAFKA or run `bash eng/kafka-mock.sh start`.");
        }
    }

    /// <summary>Folder for the SQLite files.</summary>
    public static string SqliteFolder
    {
        get
        {
            var dir = Path.Combine(Path.GetTempPath(), "messaging-bench");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
