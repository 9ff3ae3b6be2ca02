using System.CommandLine;

namespace Messaging.Cli;

/// <summary>The options every command takes (recursive on the root command).</summary>
internal static class CliOptions
{
    public static readonly Option<string?> Config = Global("--config", "The application's appsettings.json (default: ./appsettings.json when present); environment variables (Messaging__*, ConnectionStrings__*) are read too.");
    public static readonly Option<string?> Connection = Global("--connection", "Database connection string (else ConnectionStrings from the configuration). Never printed.");
    public static readonly Option<string?> ConnectionName = Global("--connection-name", "Which ConnectionStrings entry to use when there are several.");
    public static readonly Option<string?> Provider = Global("--provider", "sqlite | postgres (default: told from the connection string).");
    public static readonly Option<string?> Schema = Global("--schema", "Schema of the messaging tables, as given to AddMessagingTables.");
    public static readonly Option<string?> OutboxTable = Global("--outbox-table", "Outbox table name (default messaging_outbox).");
    public static readonly Option<string?> InboxTable = Global("--inbox-table", "Inbox table name (default messaging_inbox).");
    public static readonly Option<string?> RedeliveriesTable = Global("--redeliveries-table", "Redeliveries table name (default messaging_redeliveries).");
    public static readonly Option<string?> DeadLettersTable = Global("--dead-letters-table", "Dead-letters table name (default messaging_dead_letters).");
    public static readonly Option<string?> RedriveJobsTable = Global("--redrive-jobs-table", "Re-drive jobs table name (default messaging_redrive_jobs).");
    public static readonly Option<string?> Endpoint = Global("--endpoint", "The endpoint (queue, consumer group) (default Messaging:Endpoint).");
    public static readonly Option<string?> RabbitMqUri = Global("--rabbitmq-uri", "RabbitMQ amqp URI (default Messaging:RabbitMq:Uri). Its password is never printed.");
    public static readonly Option<string?> KafkaBootstrap = Global("--kafka-bootstrap", "Kafka bootstrap servers (default Messaging:Kafka:BootstrapServers).");
    public static readonly Option<bool> Json = Global<bool>("--json", "Print JSON for scripts instead of tables.");
    public static readonly Option<bool> Yes = Global<bool>("--yes", "Do not ask for confirmation before changing anything.");

    public static IEnumerable<Option> All =>
    [
        Config, Connection, ConnectionName, Provider, Schema, OutboxTable, InboxTable, RedeliveriesTable, DeadLettersTable, RedriveJobsTable,
        Endpoint, RabbitMqUri, KafkaBootstrap, Json, Yes,
    ];

    private static Option<string?> Global(string name, string description) => Global<string?>(name, description);

    private static Option<T> Global<T>(string name, string description) => new(name) { Description = description, Recursive = true };
}
