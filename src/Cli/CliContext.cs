using System.CommandLine;
using Messaging.Cli.Configuration;
using Messaging.Cli.Database;
using Messaging.Kafka;
using Messaging.RabbitMq;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Messaging.Cli;

/// <summary>One invocation: the parsed command line, the application's configuration, where output goes.</summary>
internal sealed class CliContext
{
    private readonly ParseResult _parse;
    private DatabaseTarget? _database;

    public CliContext(ParseResult parse, IAnsiConsole console)
    {
        _parse = parse;
        Console = console;
        Configuration = CliConfiguration.Load(parse.GetValue(CliOptions.Config));
    }

    public IAnsiConsole Console { get; }

    /// <summary>The clock every command reads "now" from (cut-offs, re-drive times, ages).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IConfiguration Configuration { get; }

    public bool Json => _parse.GetValue(CliOptions.Json);

    public bool Yes => _parse.GetValue(CliOptions.Yes);

    public T? Value<T>(Option<T> option) => _parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => _parse.GetValue(argument);

    /// <summary>The endpoint: <c>--endpoint</c>, else <c>Messaging:Endpoint</c>, else the library's default.</summary>
    public string Endpoint => Value(CliOptions.Endpoint) ?? Configuration["Messaging:Endpoint"] ?? "messaging-app";

    /// <summary>The application's primary transport (<c>Messaging:Transport</c>), which rows that name no transport go through.</summary>
    public string? PrimaryTransport => Configuration["Messaging:Transport"] is { Length: > 0 } name ? name : null;

    public DatabaseTarget Database => _database ??= DatabaseTarget.Resolve(Configuration, Value(CliOptions.Connection), Value(CliOptions.ConnectionName),
        Value(CliOptions.Provider), new CliTables(Value(CliOptions.Schema), Value(CliOptions.OutboxTable), Value(CliOptions.InboxTable),
            Value(CliOptions.RedeliveriesTable), Value(CliOptions.DeadLettersTable), Value(CliOptions.RedriveJobsTable)));

    public RabbitMqOptions RabbitMq
    {
        get
        {
            var options = new RabbitMqOptions();
            Configuration.GetSection(RabbitMqOptions.SectionName).Bind(options);
            if (Value(CliOptions.RabbitMqUri) is { } uri) options.Uri = uri;
            return options;
        }
    }

    public KafkaOptions Kafka
    {
        get
        {
            var options = new KafkaOptions();
            Configuration.GetSection(KafkaOptions.SectionName).Bind(options);
            if (Value(CliOptions.KafkaBootstrap) is { } servers) options.BootstrapServers = servers;
            if (string.IsNullOrWhiteSpace(options.BootstrapServers))
                throw new CliException("No Kafka: give --kafka-bootstrap, or Messaging:Kafka:BootstrapServers in the configuration.");
            options.SessionTimeoutMs = 6_000; // the CLI's consumers are short-lived: leave and rejoin fast
            return options;
        }
    }

    /// <summary>Asks before a change unless <c>--yes</c>; refuses when nobody can answer.</summary>
    /// <exception cref="CliException">Not interactive and no <c>--yes</c>, or the operator said no.</exception>
    public void Confirm(string question)
    {
        if (Yes) return;
        if (!Console.Profile.Capabilities.Interactive)
            throw new CliException($"{question} Not asked: this is not an interactive terminal; add --yes to go ahead.");
        if (!Console.Confirm(question, defaultValue: false)) throw new CliException("Cancelled; nothing changed.");
    }
}
