using System.CommandLine;
using Messaging.Outbox.Operations;

namespace Messaging.Cli.Commands;

/// <summary>The options of the <c>dlq</c> commands.</summary>
internal static class DlqOptions
{
    public static readonly Option<string> Source = new Option<string>("--source")
    {
        Description = "Where the dead letters are: database (the messaging_dead_letters table), rabbitmq (<endpoint>.dlq) or kafka (<topic>.dlq).",
        DefaultValueFactory = _ => "database",
    }.AcceptOnlyFromAmong("database", "rabbitmq", "kafka");

    public static readonly Option<string?> Queue = new("--queue") { Description = "RabbitMQ: the dead-letter queue (default <endpoint>.dlq)." };
    public static readonly Option<string?> Topic = new("--topic") { Description = "Kafka: the topic whose dead-letter topic to read (orders → orders.dlq)." };
    public static readonly Option<string> CliGroup = new("--cli-group") { Description = "Kafka: the CLI's consumer group on the dead-letter topic.", DefaultValueFactory = _ => "messaging-cli" };
    public static readonly Option<int> Limit = new("--limit") { Description = "Most dead letters read or shown.", DefaultValueFactory = _ => 100 };

    public static readonly Option<string> GroupBy = new Option<string>("--group-by")
    {
        Description = "Group instead of listing: failure (exception type + first application frame), type, endpoint.",
    }.AcceptOnlyFromAmong("failure", "type", "endpoint");

    /// <summary>The <c>--group-by</c> value as the operation's grouping (the option accepts only its names, in lower case).</summary>
    public static DeadLetterGrouping Grouping(string by) => Enum.Parse<DeadLetterGrouping>(by, ignoreCase: true);

    public static readonly Option<string> Status = new Option<string>("--status")
    {
        Description = "Database rows of this status: parked, redriven, discarded, held, releasing (the last two: key-ordered dead-lettering), all.",
        DefaultValueFactory = _ => "parked",
    }.AcceptOnlyFromAmong("parked", "redriven", "discarded", "held", "releasing", "all");

    public static readonly Argument<string[]> MessageIds = new("message-id") { Description = "Message ids.", Arity = ArgumentArity.ZeroOrMore };
    public static readonly Argument<string> MessageId = new("message-id") { Description = "The message id." };
    public static readonly Option<string?> Group = new("--group") { Description = "Every parked dead letter of this failure group (fingerprint)." };
    public static readonly Option<bool> All = new("--all") { Description = "Every parked dead letter." };
    public static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show what would change; change nothing." };
    public static readonly Option<int?> First = new("--first") { Description = "Only the first N of the selection, oldest first (a canary batch); run again without it for the rest." };
    public static readonly Option<double?> Rate = new("--rate") { Description = "Re-drive at most N messages per second (database re-drives)." };
    public static readonly Option<string> Reason = new("--reason") { Description = "Why you re-drive, recorded with the re-drive job (database re-drives).", DefaultValueFactory = _ => "" };
    public static readonly Argument<long> JobId = new("job-id") { Description = "The re-drive job's number (messaging dlq jobs)." };
}
