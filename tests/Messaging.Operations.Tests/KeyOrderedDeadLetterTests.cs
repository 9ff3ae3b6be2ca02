using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Operations.Tests;

/// <summary>
/// Key-ordered dead-lettering (<c>Messaging:Outbox:KeyOrderedDeadLetters</c>) on each broker and database: a poison order of
/// key K is dead-lettered, K's later orders are held behind it in the database while another key flows on; re-driving the
/// head after the fix applies it and then K's held orders once each, in their original order; discarding a head releases
/// the orders behind it.
/// </summary>
public abstract class KeyOrderedDeadLetterTests(OpsFixture fixture)
{
    private static readonly Dictionary<string, string?> KeyOrdered = new() { ["Messaging:Outbox:KeyOrderedDeadLetters"] = "true" };

    private string[] Args(params string[] command) => [.. command, .. fixture.Database.CliArguments, .. fixture.Broker.CliArguments];

    /// <summary>A poison order of a new key (dead-lettered, the key's head) and a later order of the key, once it is held
    /// behind it.</summary>
    private static async Task<(string Key, string Head, string Behind)> HeadWithOneHeldAsync(OpsApp app, string keyPrefix)
    {
        var key = keyPrefix + Guid.NewGuid().ToString("N")[..6];
        var head = await app.PlaceAsync(key, poison: true);
        var behind = await app.PlaceAsync(key);
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(behind))?.Status == DeadLetterStatus.Held, "the later order held");
        return (key, head, behind);
    }

    [Fact]
    public async Task Later_messages_of_a_dead_lettered_key_wait_behind_it_and_are_applied_in_order_after_its_redrive()
    {
        await using var app = OpsApp.Create(fixture, settings: KeyOrdered);
        await app.StartAsync();
        var key = "k-" + Guid.NewGuid().ToString("N")[..6];
        var head = await app.PlaceAsync(key, poison: true);
        var first = await app.PlaceAsync(key);
        var second = await app.PlaceAsync(key);
        var other = await app.PlaceAsync("other-" + key);
        await Wait.UntilAsync(async () => await app.AppliedAsync(other) == 1 && (await app.DeadLetterAsync(second))?.Status == DeadLetterStatus.Held,
            "the other key applied, and the key's later orders held behind its dead letter");

        Assert.Equal(DeadLetterStatus.Parked, (await app.DeadLetterAsync(head))!.Status);
        var held = (await app.DeadLetterAsync(first))!;
        Assert.Equal((DeadLetterStatus.Held, 0, ""), (held.Status, held.Failures, held.DeadLetterDestination));
        Assert.StartsWith($"held behind {head}", held.Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0), (await app.AppliedAsync(first), await app.AppliedAsync(second)));

        // The operator sees the key with its head and what waits behind it, and the trace of a held order says why it waits.
        var keys = (await Operator.OkAsync(Args("dlq", "keys", "--endpoint", app.Endpoint, "--json"))).Json();
        var listed = Assert.Single(keys.EnumerateArray());
        Assert.Equal((key, head, "Parked", 2), (listed.GetProperty("partitionKey").GetString(), listed.GetProperty("head").GetProperty("messageId").GetString(),
            listed.GetProperty("head").GetProperty("status").GetString(), listed.GetProperty("behind").GetInt32()));
        Assert.Contains(key, (await Operator.OkAsync(Args("dlq", "keys"))).Output, StringComparison.Ordinal);
        var verdict = (await Operator.OkAsync(Args("trace", second, "--json"))).Json().GetProperty("verdict").GetString();
        Assert.StartsWith($"parked behind {head} at endpoint {app.Endpoint}", verdict, StringComparison.Ordinal);
        Assert.EndsWith($"messaging dlq redrive {head}", verdict, StringComparison.Ordinal);
        Assert.Contains($"verdict: parked behind {head}", (await Operator.OkAsync(Args("trace", second))).Output, StringComparison.Ordinal);
        var heldList = (await Operator.OkAsync(Args("dlq", "list", "--status", "held"))).Output;
        Assert.True(heldList.Contains(first, StringComparison.Ordinal) && heldList.Contains(second, StringComparison.Ordinal), heldList);
        // Held orders are not failures to re-drive on their own: only the head is selected.
        var selected = (await Operator.OkAsync(Args("dlq", "redrive", head, first, "--dry-run", "--json"))).Json();
        Assert.Equal(head, Assert.Single(selected.EnumerateArray()).GetProperty("messageId").GetString());

        // A later order of the key that arrives while the key is held waits too, behind the others.
        var third = await app.PlaceAsync(key);
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(third))?.Status == DeadLetterStatus.Held, "the third order held");

        // Re-driven before the fix: the head fails again and still holds its key; nothing behind it moved.
        await Operator.OkAsync(Args("dlq", "redrive", head, "--yes"));
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(head))!.Failures == 2, "the re-driven head failed again");
        Assert.Equal(DeadLetterStatus.Parked, (await app.DeadLetterAsync(head))!.Status);
        Assert.Equal(DeadLetterStatus.Held, (await app.DeadLetterAsync(first))!.Status);
        Assert.Equal(0, await app.QueryAsync(db => db.Applied.CountAsync(a => a.OrderId == key)));

        app.Version.Fixed = true;
        await Operator.OkAsync(Args("dlq", "redrive", head, "--reason", "customer lookup fixed", "--yes"));
        // Applied, then marked Redriven: the key is free again only after the last one's mark.
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(third))!.Status == DeadLetterStatus.Redriven,
            "the head and every held order applied after the re-drive");

        var applied = await app.QueryAsync(db => db.Applied.AsNoTracking().Where(a => a.OrderId == key).OrderBy(a => a.Id).Select(a => a.MessageId).ToListAsync());
        Assert.Equal([head, first, second, third], applied);
        foreach (var id in new[] { head, first, second, third })
            Assert.Equal(DeadLetterStatus.Redriven, (await app.DeadLetterAsync(id))!.Status);
        Assert.Equal(0, (await Operator.OkAsync(Args("dlq", "keys", "--json"))).Json().EnumerateArray()
            .Count(k => k.GetProperty("partitionKey").GetString() == key));
        await app.StopAsync();
        Assert.Equal([head, first, second, third], await app.QueryAsync(db => db.Applied.AsNoTracking().Where(a => a.OrderId == key).OrderBy(a => a.Id)
            .Select(a => a.MessageId).ToListAsync()));
    }

    /// <summary>The broker delivers a parked head again (here a producer's retry with its message id; an ack lost after the
    /// dead-lettering does the same) once the handler is fixed: it is handled, and it frees its key as a re-drive would,
    /// instead of holding it until an operator re-drives a message already handled.</summary>
    [Fact]
    public async Task A_parked_head_delivered_again_and_handled_releases_the_messages_held_behind_it()
    {
        await using var app = OpsApp.Create(fixture, settings: KeyOrdered);
        await app.StartAsync();
        var (key, head, behind) = await HeadWithOneHeldAsync(app, "r-");
        Assert.Equal(DeadLetterStatus.Parked, (await app.DeadLetterAsync(head))!.Status);

        app.Version.Fixed = true;
        await app.PlaceAsync(key, poison: true, messageId: head);
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(behind))!.Status == DeadLetterStatus.Redriven,
            "the held order applied once the head, delivered again, was handled");

        var applied = await app.QueryAsync(db => db.Applied.AsNoTracking().Where(a => a.OrderId == key).OrderBy(a => a.Id).Select(a => a.MessageId).ToListAsync());
        Assert.Equal([head, behind], applied);
        var headRow = (await app.DeadLetterAsync(head))!;
        Assert.Equal((DeadLetterStatus.Redriven, 0), (headRow.Status, headRow.RedriveCount));
        await app.StopAsync();
    }

    [Fact]
    public async Task Discarding_the_head_releases_the_messages_held_behind_it()
    {
        await using var app = OpsApp.Create(fixture, settings: KeyOrdered);
        await app.StartAsync();
        var (_, head, behind) = await HeadWithOneHeldAsync(app, "d-");

        await Operator.OkAsync(Args("dlq", "discard", head, "--yes"));
        await Wait.UntilAsync(async () => (await app.DeadLetterAsync(behind))!.Status == DeadLetterStatus.Redriven,
            "the held order applied once its head was discarded");
        Assert.Equal(1, await app.AppliedAsync(behind));
        Assert.Equal(0, await app.AppliedAsync(head));
        Assert.Equal((DeadLetterStatus.Discarded, DeadLetterStatus.Redriven), ((await app.DeadLetterAsync(head))!.Status, (await app.DeadLetterAsync(behind))!.Status));
        await app.StopAsync();
        Assert.Equal(1, await app.AppliedAsync(behind));
    }
}

public sealed class RabbitMqSqliteKeyOrderedDeadLetters(RabbitSqlite fixture) : KeyOrderedDeadLetterTests(fixture), IClassFixture<RabbitSqlite>;

public sealed class RabbitMqPostgresKeyOrderedDeadLetters(RabbitPostgres fixture) : KeyOrderedDeadLetterTests(fixture), IClassFixture<RabbitPostgres>;

public sealed class KafkaSqliteKeyOrderedDeadLetters(KafkaSqlite fixture) : KeyOrderedDeadLetterTests(fixture), IClassFixture<KafkaSqlite>;

public sealed class KafkaPostgresKeyOrderedDeadLetters(KafkaPostgres fixture) : KeyOrderedDeadLetterTests(fixture), IClassFixture<KafkaPostgres>;
