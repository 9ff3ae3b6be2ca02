using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Operations.Tests;

/// <summary>
/// Dead letters found only on a broker's dead-letter queue or topic (here: their database rows deleted): <c>dlq</c> lists,
/// groups and shows them there, a dry run changes nothing, a re-drive writes the outbox row (and a dead-letter row marked
/// re-driven) and only then removes the broker copy, and a discard removes it.
/// </summary>
public abstract class BrokerDeadLetterTests(OpsFixture fixture)
{
    private string[] Args(OpsApp app, params string[] command)
    {
        string[] source = fixture.Broker.Transport == "Kafka" ? ["--source", "kafka", "--topic", app.Destination] : ["--source", "rabbitmq"];
        return [.. command, .. source, .. fixture.Database.CliArguments, .. fixture.Broker.CliArguments, "--endpoint", app.Endpoint];
    }

    [Fact]
    public async Task Dead_letter_only_on_the_broker_is_redriven_through_the_outbox_and_removed_there_after_the_commit()
    {
        await using var app = OpsApp.Create(fixture);
        await app.StartAsync();
        var ids = new[] { await app.PlaceAsync("b-1", poison: true), await app.PlaceAsync("b-2", poison: true) }.Order(StringComparer.Ordinal).ToArray();
        var (poison, other) = (ids[0], ids[1]);
        await Wait.UntilAsync(async () => await app.DeadLetterAsync(poison) is not null && await app.DeadLetterAsync(other) is not null, "both dead-lettered");
        var fingerprint = (await app.DeadLetterAsync(poison))!.Fingerprint;
        await app.QueryAsync(db => db.Set<DeadLetter>().ExecuteDeleteAsync()); // known only to the broker now

        var listed = (await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().EnumerateArray().ToList();
        // Two keys, published in parallel by the outbox: their order on the broker is not fixed.
        Assert.Equal([poison, other], listed.Select(l => l.GetProperty("messageId").GetString()).Order(StringComparer.Ordinal));
        Assert.All(listed, l => Assert.Equal(fingerprint, l.GetProperty("fingerprint").GetString()));
        var group = Assert.Single((await Operator.OkAsync(Args(app, "dlq", "list", "--group-by", "failure", "--json"))).Json().EnumerateArray());
        Assert.Equal(2, group.GetProperty("count").GetInt32());
        var shown = (await Operator.OkAsync(Args(app, "dlq", "show", poison, "--json"))).Json();
        Assert.Equal("apply-order", shown.GetProperty("summary").GetProperty("handler").GetString());

        // "Where is it?": not in the database any more, but its copy is on the broker, and the trace says so.
        var traced = (await Operator.OkAsync(Args(app, "trace", poison, "--json"))).Json();
        var copy = Assert.Single(traced.GetProperty("brokerCopies").EnumerateArray());
        Assert.Equal("apply-order", copy.GetProperty("handler").GetString());
        Assert.StartsWith("only on the broker, in ", traced.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"messaging dlq redrive {poison} --source {(fixture.Broker.Transport == "Kafka" ? "kafka --topic " + app.Destination : "rabbitmq")}",
            traced.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Contains("broker copy in ", (await Operator.OkAsync(Args(app, "trace", poison))).Output, StringComparison.Ordinal);

        var dryRun = await Operator.OkAsync(Args(app, "dlq", "redrive", poison, "--dry-run"));
        Assert.Contains("would re-drive 1", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().GetArrayLength());

        app.Version.Fixed = true;
        await Operator.OkAsync(Args(app, "dlq", "redrive", poison, "--yes"));
        await Wait.UntilAsync(async () => await app.AppliedAsync(poison) == 1, "the re-driven message applied");
        var row = (await app.DeadLetterAsync(poison))!;
        Assert.Equal((DeadLetterStatus.Redriven, 1, "apply-order"), (row.Status, row.RedriveCount, row.HandlerName));
        var left = (await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().EnumerateArray().Select(l => l.GetProperty("messageId").GetString()).ToList();
        if (left.Count == 0)
        {
            // Kafka, the other record before the re-driven one: kept in the database, parked, so the CLI group could pass it.
            Assert.Equal("Kafka", fixture.Broker.Transport);
            Assert.Equal(DeadLetterStatus.Parked, (await app.DeadLetterAsync(other))!.Status);
        }
        else
        {
            Assert.Equal([other], left);
            await Operator.OkAsync(Args(app, "dlq", "discard", other, "--yes"));
            Assert.Equal(0, (await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().GetArrayLength());
        }
        await app.StopAsync();
        Assert.Equal((1, 0), (await app.AppliedAsync(poison), await app.AppliedAsync(other)));
    }

    [Fact]
    public async Task A_broker_copy_of_a_dead_letter_redriven_from_the_table_is_listed_as_redriven()
    {
        await using var app = OpsApp.Create(fixture);
        await app.StartAsync();
        var poison = await app.PlaceAsync("t-1", poison: true);
        await Wait.UntilAsync(async () => await app.DeadLetterAsync(poison) is not null, "dead-lettered");
        var before = Assert.Single((await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().EnumerateArray());
        Assert.Equal(("Parked", 0), (before.GetProperty("status").GetString(), before.GetProperty("redriveCount").GetInt32()));

        app.Version.Fixed = true;
        await Operator.OkAsync([.. "dlq redrive".Split(' '), poison, "--yes", .. fixture.Database.CliArguments, "--endpoint", app.Endpoint]); // from the table
        await Wait.UntilAsync(async () => await app.AppliedAsync(poison) == 1, "the re-driven message applied");

        var copy = Assert.Single((await Operator.OkAsync(Args(app, "dlq", "list", "--json"))).Json().EnumerateArray());
        Assert.Equal((poison, "Redriven", 1), (copy.GetProperty("messageId").GetString(), copy.GetProperty("status").GetString(), copy.GetProperty("redriveCount").GetInt32()));
        var table = await Operator.OkAsync(Args(app, "dlq", "list"));
        Assert.Contains("Redriven", table.Output, StringComparison.Ordinal);
        Assert.Contains(poison, table.Output, StringComparison.Ordinal);
        await app.StopAsync();
    }
}

public sealed class RabbitMqBrokerDeadLetters(RabbitSqlite fixture) : BrokerDeadLetterTests(fixture), IClassFixture<RabbitSqlite>;

public sealed class KafkaBrokerDeadLetters(KafkaPostgres fixture) : BrokerDeadLetterTests(fixture), IClassFixture<KafkaPostgres>;
