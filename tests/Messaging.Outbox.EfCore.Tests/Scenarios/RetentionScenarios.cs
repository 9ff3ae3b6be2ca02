using Messaging.Outbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Old Sent rows and old inbox rows are deleted in bounded batches; Pending, Failed and recent rows stay, and so do the
/// inbox rows of a message with a Parked dead letter (a re-drive must still find the handlers that applied it).</summary>
public abstract class RetentionScenarios<TDatabase>(TDatabase database, ITestOutputHelper output)
    : DatabaseTest<TDatabase>(database, output) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Old_sent_rows_and_old_inbox_rows_are_deleted_in_batches()
    {
        var old = DateTime.UtcNow.AddHours(-2);
        await using (var seed = Database.CreateContext())
        {
            OutboxMessage Row(OutboxStatus status, DateTime? sentAt) => new()
            {
                MessageId = Envelope.NewMessageId(), MessageType = "t", Destination = "d", ContentType = "application/json",
                CreatedAt = old, Status = status, SentAt = sentAt,
            };
            for (var i = 0; i < 25; i++) seed.Add(Row(OutboxStatus.Sent, old));
            seed.Add(Row(OutboxStatus.Sent, DateTime.UtcNow));
            seed.Add(Row(OutboxStatus.Failed, null));
            for (var i = 0; i < 12; i++) seed.Add(new InboxRecord { MessageId = $"m-{i}", HandlerName = $"h-{i % 2}", ReceivedAt = old, ProcessedAt = old });
            seed.Add(new InboxRecord { MessageId = "recent", HandlerName = "h-0", ReceivedAt = DateTime.UtcNow, ProcessedAt = DateTime.UtcNow });
            // m-0 was applied by h-0 and dead-lettered at another handler: parked, so its inbox row stays; m-1's dead letter
            // was re-driven, so its row goes with the rest.
            DeadLetter Dead(string messageId, DeadLetterStatus status) => new()
            {
                MessageId = messageId, MessageType = "t", Endpoint = "e", HandlerName = "other", Transport = "InMemory", Destination = "d",
                Source = "s", DeadLetterDestination = "d.dlq", Reason = "r", ContentType = "application/json", SentAt = old, FirstFailedAt = old,
                LastFailedAt = old, Failures = 1, Status = status,
            };
            seed.AddRange(Dead("m-0", DeadLetterStatus.Parked), Dead("m-1", DeadLetterStatus.Redriven));
            await seed.SaveChangesAsync();
        }

        await HostAsync(settings: new Dictionary<string, string?>
        {
            ["Messaging:Outbox:SentRetentionMs"] = "3600000",
            ["Messaging:Outbox:InboxRetentionMs"] = "3600000",
            ["Messaging:Outbox:RetentionBatchSize"] = "10",
        });

        await using var check = Database.CreateContext();
        await Wait.UntilAsync(async () => await check.Set<OutboxMessage>().CountAsync() == 2 && await check.Set<InboxRecord>().CountAsync() == 2, "old rows are gone");
        Assert.Equal([OutboxStatus.Sent, OutboxStatus.Failed], await check.Set<OutboxMessage>().OrderBy(m => m.Id).Select(m => m.Status).ToListAsync());
        Assert.Equal(["m-0", "recent"], await check.Set<InboxRecord>().OrderBy(r => r.MessageId).Select(r => r.MessageId).ToListAsync());
    }
}

public sealed class SqliteRetentionTests(SqliteDatabase database, ITestOutputHelper output)
    : RetentionScenarios<SqliteDatabase>(database, output);

public sealed class PostgresRetentionTests(PostgresDatabase database, ITestOutputHelper output)
    : RetentionScenarios<PostgresDatabase>(database, output);
