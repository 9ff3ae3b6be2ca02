using Messaging.Outbox.Dialects;
using Messaging.Outbox.Dispatch;
using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>The claim statement: lease, batch size, and the per-key rule (a key waits behind its earliest due row).</summary>
public abstract class ClaimScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Key_behind_a_row_leased_elsewhere_or_in_backoff_is_not_claimed_other_keys_are()
    {
        await using var db = Database.CreateContext();
        var future = DateTime.UtcNow.AddMinutes(5);
        await AddAsync(db, "a-1", "a", leaseOwner: "other", leaseUntil: future); // leased by another dispatcher
        await AddAsync(db, "b-1", "b", leaseUntil: future);                       // waiting for its retry backoff
        await AddAsync(db, "a-2", "a");
        await AddAsync(db, "b-2", "b");
        await AddAsync(db, "c-1", "c");
        await AddAsync(db, "n-1", null);
        await AddAsync(db, "c-2", "c");
        await AddAsync(db, "s-1", "s", notBefore: future);                        // scheduled: does not hold its key back
        await AddAsync(db, "s-2", "s");

        var claimed = await Claimer().ClaimAsync(db, "me", [], Broker, CancellationToken.None);

        Assert.Equal(["c-1", "n-1", "c-2", "s-2"], claimed.Select(r => r.MessageId));
        Assert.All(claimed, r => Assert.Equal("me", r.LeaseOwner));
        Assert.All(claimed, r => Assert.True(r.LeaseUntil > DateTime.UtcNow));
        Assert.Equal(4, await db.Set<OutboxMessage>().CountAsync(m => m.LeaseOwner == "me"));
    }

    [Fact]
    public async Task Claim_takes_at_most_a_batch_in_id_order_and_leaves_leased_rows_to_their_owner()
    {
        await using var db = Database.CreateContext();
        for (var i = 0; i < 5; i++) await AddAsync(db, $"k-{i}", "k");

        var first = await Claimer(batchSize: 3).ClaimAsync(db, "me", [], Broker, CancellationToken.None);
        var second = await Claimer(batchSize: 3).ClaimAsync(db, "you", [], Broker, CancellationToken.None);

        Assert.Equal(["k-0", "k-1", "k-2"], first.Select(r => r.MessageId));
        Assert.Empty(second); // k-3 and k-4 wait behind k-0..k-2, leased to "me"
    }

    [Fact]
    public async Task Confirmed_rows_whose_mark_is_still_being_written_do_not_hold_their_key_back_on_PostgreSQL()
    {
        await using var db = Database.CreateContext();
        for (var i = 0; i < 3; i++) await AddAsync(db, $"k-{i}", "k");
        var first = await Claimer(batchSize: 1).ClaimAsync(db, "me", [], Broker, CancellationToken.None);

        var withoutConfirmed = await Claimer().ClaimAsync(db, "me", [], Broker, CancellationToken.None);
        var withConfirmed = await Claimer().ClaimAsync(db, "me", [first[0].Id], Broker, CancellationToken.None);

        Assert.Empty(withoutConfirmed); // k-0 is still Pending: k-1 and k-2 wait behind it
        if (OutboxDialect.For(db).ConcurrentWriters) Assert.Equal(["k-1", "k-2"], withConfirmed.Select(r => r.MessageId));
        else Assert.Empty(withConfirmed); // SQLite records before it claims: the list is not used
    }

    [Fact]
    public async Task Rows_of_a_transport_outside_the_scope_are_never_claimed_and_hold_their_key_back()
    {
        await using var db = Database.CreateContext();
        await AddAsync(db, "k-1", "k", transport: "Other"); // written for a transport this dispatcher does not use
        await AddAsync(db, "k-2", "k");
        await AddAsync(db, "o-1", null, transport: "other"); // names compare case-insensitively
        await AddAsync(db, "n-1", null, transport: null);    // names no transport (written before rows named theirs)
        await AddAsync(db, "j-1", "j");

        var claimed = await Claimer().ClaimAsync(db, "me", [], Broker with { IncludesNull = false }, CancellationToken.None);
        var claimedWithNull = await Claimer().ClaimAsync(db, "me-too", [], Broker, CancellationToken.None);
        var otherDispatcher = await Claimer().ClaimAsync(db, "other", [], new ClaimScope(["OTHER"], false, null), CancellationToken.None);

        Assert.Equal(["j-1"], claimed.Select(r => r.MessageId)); // k-2 waits behind k-1: order per key across transports
        Assert.Equal(["n-1"], claimedWithNull.Select(r => r.MessageId));
        Assert.Equal(["k-1", "o-1"], otherDispatcher.Select(r => r.MessageId));
        Assert.Empty(await Claimer().ClaimAsync(db, "me", [], new ClaimScope([], false, null), CancellationToken.None));
    }

    private static readonly ClaimScope Broker = new(["Broker"], IncludesNull: true, Limit: null);

    private static OutboxClaimer Claimer(int batchSize = 500) =>
        new(Options.Create(new OutboxOptions { BatchSize = batchSize }), TimeProvider.System);

    /// <summary>Saved one at a time, so ids follow the order of the calls.</summary>
    private static async Task AddAsync(ShopContext db, string messageId, string? key, string? leaseOwner = null, DateTime? leaseUntil = null, DateTime? notBefore = null,
        string? transport = "Broker")
    {
        var row = OutboxRows.ToRow(new Envelope { MessageId = messageId, MessageType = "t", Destination = "d", PartitionKey = key }, transport, notBefore);
        row.LeaseOwner = leaseOwner;
        row.LeaseUntil = leaseUntil;
        db.Add(row);
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteClaimTests(SqliteDatabase database, ITestOutputHelper output)
    : ClaimScenarios<SqliteDatabase>(database, output);

public sealed class PostgresClaimTests(PostgresDatabase database, ITestOutputHelper output)
    : ClaimScenarios<PostgresDatabase>(database, output);
