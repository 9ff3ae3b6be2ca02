using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;

namespace Messaging.Operations.Tests;

/// <summary>
/// The operator's path for a poison message, on each broker and database: the transport records the dead letter in the
/// database beside the broker's copy; <c>messaging dlq</c> finds it grouped by failure and shows it; a re-drive before the
/// fix fails again on the same row (count kept); after the fix, re-driving its failure group applies it exactly once.
/// </summary>
public abstract class PoisonRedriveTests(OpsFixture fixture)
{
    private string[] Args(OpsApp app, params string[] command) =>
        [.. command, .. fixture.Database.CliArguments, .. fixture.Broker.CliArguments, "--endpoint", app.Endpoint];

    [Fact]
    public async Task Poison_message_is_found_by_failure_redriven_after_the_fix_and_applied_once()
    {
        await using var app = OpsApp.Create(fixture);
        await app.StartAsync();
        var good = await app.PlaceAsync("o-1");
        var poison = await app.PlaceAsync("o-2", poison: true);
        await Wait.UntilAsync(async () => await app.AppliedAsync(good) == 1 && await app.DeadLetterAsync(poison) is not null,
            "the good order applied and the poison one recorded as a dead letter");

        var row = (await app.DeadLetterAsync(poison))!;
        Assert.Equal(DeadLetterStatus.Parked, row.Status);
        // "Where is it?": the trace names the handler, the reason and the command that fixes it.
        var trace = (await Operator.OkAsync(Args(app, "trace", poison, "--json"))).Json();
        Assert.StartsWith("dead-lettered at handler apply-order of endpoint " + app.Endpoint, trace.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("messaging dlq redrive " + poison, trace.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Equal("Sent", Assert.Single(trace.GetProperty("outbox").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal(0, trace.GetProperty("inbox").GetArrayLength());
        Assert.Contains("verdict: dead-lettered at handler apply-order", (await Operator.OkAsync(Args(app, "trace", poison))).Output, StringComparison.Ordinal);
        Assert.StartsWith("handled by 1 handler(s): apply-order at ", (await Operator.OkAsync(Args(app, "trace", good, "--json"))).Json().GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Equal("apply-order", row.HandlerName);
        Assert.Equal(typeof(InvalidOperationException).FullName, row.ExceptionType);
        Assert.Equal(typeof(ApplyHandler).FullName + ".HandleAsync", row.FailureSite);
        Assert.Matches("^[0-9a-f]{12}$", row.Fingerprint!);
        Assert.Equal(fixture.Broker.Transport, row.Transport);
        Assert.Equal(app.Destination, row.Destination);
        Assert.StartsWith(fixture.Broker.Transport == "Kafka" ? "topic " : "queue ", row.Source, StringComparison.Ordinal);
        Assert.Equal(1, row.Failures);

        // What an operator reads first: the table of failure groups, then the message.
        Assert.Contains(row.Fingerprint!, (await Operator.OkAsync(Args(app, "dlq", "list", "--group-by", "failure"))).Output, StringComparison.Ordinal);
        Assert.Contains("Parked", (await Operator.OkAsync(Args(app, "dlq", "show", poison))).Output, StringComparison.Ordinal);
        var groups = (await Operator.OkAsync(Args(app, "dlq", "list", "--group-by", "failure", "--json"))).Json();
        var group = Assert.Single(groups.EnumerateArray());
        Assert.Equal(row.Fingerprint, group.GetProperty("key").GetString());
        Assert.Equal(1, group.GetProperty("count").GetInt32());
        Assert.Contains("ApplyHandler.HandleAsync", group.GetProperty("description").GetString(), StringComparison.Ordinal);
        // The same table by message type and by endpoint: one GROUP BY in the database each.
        var byType = Assert.Single((await Operator.OkAsync(Args(app, "dlq", "list", "--group-by", "type", "--json"))).Json().EnumerateArray());
        Assert.Equal(("ops.ordered", "1 endpoint(s)", 1), (byType.GetProperty("key").GetString(), byType.GetProperty("description").GetString(), byType.GetProperty("count").GetInt32()));
        var byEndpoint = Assert.Single((await Operator.OkAsync(Args(app, "dlq", "list", "--group-by", "endpoint", "--json"))).Json().EnumerateArray());
        Assert.Equal((app.Endpoint, "1 message type(s)"), (byEndpoint.GetProperty("key").GetString(), byEndpoint.GetProperty("description").GetString()));
        var shown = (await Operator.OkAsync(Args(app, "dlq", "show", poison, "--json"))).Json();
        Assert.Contains("\"o-2\"", shown.GetProperty("body").GetString(), StringComparison.Ordinal);

        // Re-driven before the fix: it fails again and comes back on the same row, its re-drive counted.
        await Operator.OkAsync(Args(app, "dlq", "redrive", poison, "--yes"));
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(poison))!.Failures == 2, "the re-driven poison message failed again");
        row = (await app.DeadLetterAsync(poison))!;
        Assert.Equal((DeadLetterStatus.Parked, 1), (row.Status, row.RedriveCount));

        app.Version.Fixed = true;
        var redriven = (await Operator.OkAsync(Args(app, "dlq", "redrive", "--group", row.Fingerprint!, "--reason", "apply-order fixed", "--yes", "--json"))).Json();
        Assert.Equal(1, redriven.GetProperty("count").GetInt32());
        var job = redriven.GetProperty("job").GetInt64();
        await Wait.UntilAsync(async () => await app.AppliedAsync(poison) == 1, "the fixed handler applied the re-driven message");
        row = (await app.DeadLetterAsync(poison))!;
        Assert.Equal((DeadLetterStatus.Redriven, 2, 2), (row.Status, row.RedriveCount, row.Failures));
        var traced = await Operator.OkAsync(Args(app, "trace", poison));
        Assert.Contains("verdict: handled by 1 handler(s): apply-order at ", traced.Output, StringComparison.Ordinal);
        Assert.Contains("(dead-lettered before, re-driven 2 time(s))", traced.Output, StringComparison.Ordinal);
        Assert.Contains($"re-driven by job {job} of ", traced.Output, StringComparison.Ordinal);
        Assert.Contains(": apply-order fixed", traced.Output, StringComparison.Ordinal);
        var jobs = (await Operator.OkAsync(Args(app, "dlq", "jobs", "--json"))).Json();
        Assert.Equal((job, "Completed", "apply-order fixed"), (jobs[0].GetProperty("job").GetInt64(), jobs[0].GetProperty("status").GetString(), jobs[0].GetProperty("reason").GetString()));

        Assert.Contains("Redriven", (await Operator.OkAsync(Args(app, "dlq", "list", "--status", "all"))).Output, StringComparison.Ordinal);
        Assert.Contains("apply-order", (await Operator.OkAsync(Args(app, "inbox", "stats"))).Output, StringComparison.Ordinal);
        var again = await Operator.RunAsync(Args(app, "dlq", "redrive", poison, "--yes"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("nothing to re-drive", again.Error, StringComparison.Ordinal);
        await app.StopAsync();
        Assert.Equal((1, 1), (await app.AppliedAsync(good), await app.AppliedAsync(poison)));
    }
}

public sealed class RabbitMqSqlitePoisonRedrive(RabbitSqlite fixture) : PoisonRedriveTests(fixture), IClassFixture<RabbitSqlite>;

public sealed class RabbitMqPostgresPoisonRedrive(RabbitPostgres fixture) : PoisonRedriveTests(fixture), IClassFixture<RabbitPostgres>;

public sealed class KafkaSqlitePoisonRedrive(KafkaSqlite fixture) : PoisonRedriveTests(fixture), IClassFixture<KafkaSqlite>;

public sealed class KafkaPostgresPoisonRedrive(KafkaPostgres fixture) : PoisonRedriveTests(fixture), IClassFixture<KafkaPostgres>;
