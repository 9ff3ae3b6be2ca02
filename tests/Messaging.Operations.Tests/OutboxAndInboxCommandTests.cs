using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox.Writing;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Operations.Tests;

/// <summary><c>messaging outbox</c> and <c>messaging inbox</c> on SQLite and PostgreSQL: stats, lists, a Failed row retried
/// with its message id, old Sent rows purged, an inbox entry forgotten so the handler runs again; confirmation, errors and
/// secrets.</summary>
public abstract class OutboxAndInboxCommandTests(OpsFixture fixture)
{
    private string[] Args(params string[] command) => [.. command, .. fixture.Database.CliArguments];

    private async Task<(long Failed, long OldSent, long NewSent)> SeedAsync()
    {
        await using var db = fixture.Database.Open();
        await db.Set<OutboxMessage>().ExecuteDeleteAsync();
        var now = DateTime.UtcNow;
        OutboxMessage Row(OutboxStatus status, DateTime created, DateTime? sent, string? error, int attempts)
        {
            var row = OutboxRows.ToRow(new Envelope { MessageId = Envelope.NewMessageId(), MessageType = "ops.ordered", Destination = "orders-seed", Body = "{}"u8.ToArray() });
            row.Status = status;
            row.CreatedAt = created;
            row.SentAt = sent;
            row.LastError = error;
            row.Attempts = attempts;
            return row;
        }
        var failed = Row(OutboxStatus.Failed, now.AddHours(-2), null, "Publish of message x to 'orders-seed' was not confirmed (Unroutable)", 10);
        var oldSent = Row(OutboxStatus.Sent, now.AddDays(-10), now.AddDays(-10), null, 0);
        var newSent = Row(OutboxStatus.Sent, now.AddHours(-1), now.AddHours(-1), null, 0);
        db.AddRange(failed, oldSent, newSent, Row(OutboxStatus.Pending, now.AddMinutes(-5), null, null, 0));
        await db.SaveChangesAsync();
        return (failed.Id, oldSent.Id, newSent.Id);
    }

    [Fact]
    public async Task Outbox_stats_list_retry_and_purge_work_on_the_rows_an_operator_meets()
    {
        var (failed, oldSent, newSent) = await SeedAsync();

        var stats = (await Operator.OkAsync(Args("outbox", "stats", "--json"))).Json();
        var counts = stats.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("status").GetString()!, r => r.GetProperty("count").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["Failed"] = 1, ["Pending"] = 1, ["Sent"] = 2 }, counts);
        Assert.InRange(stats.GetProperty("oldestPendingAgeSeconds").GetDouble(), 290, 3600);
        var table = await Operator.OkAsync(Args("outbox", "stats"));
        Assert.Contains("oldest Pending row: 5 min old", table.Output, StringComparison.Ordinal);

        var listed = Assert.Single((await Operator.OkAsync(Args("outbox", "list", "--status", "Failed", "--json"))).Json().EnumerateArray());
        Assert.Equal(failed, listed.GetProperty("id").GetInt64());
        Assert.Contains("Unroutable", listed.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        var refused = await Operator.RunAsync(Args("outbox", "retry", "--failed"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("add --yes", refused.Error, StringComparison.Ordinal);
        await Operator.OkAsync(Args("outbox", "retry", failed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes"));
        await using (var db = fixture.Database.Open())
        {
            var row = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == failed);
            Assert.Equal((OutboxStatus.Pending, 0, null), (row.Status, row.Attempts, row.LastError));
        }

        var purged = (await Operator.OkAsync(Args("outbox", "purge-sent", "--older-than", "7d", "--yes", "--json"))).Json();
        Assert.Equal(1, purged.GetProperty("deleted").GetInt64());
        await using (var db = fixture.Database.Open())
        {
            var left = await db.Set<OutboxMessage>().AsNoTracking().Select(m => m.Id).ToListAsync();
            Assert.DoesNotContain(oldSent, left);
            Assert.Contains(newSent, left);
            Assert.Equal(3, left.Count);
        }
    }

    [Fact]
    public async Task Trace_gives_each_outbox_state_its_verdict_and_says_when_it_knows_nothing()
    {
        var (failed, _, newSent) = await SeedAsync();
        string failedId, sentId, pendingId;
        await using (var db = fixture.Database.Open())
        {
            var rows = await db.Set<OutboxMessage>().AsNoTracking().ToListAsync();
            (failedId, sentId, pendingId) = (rows.Single(r => r.Id == failed).MessageId, rows.Single(r => r.Id == newSent).MessageId,
                rows.Single(r => r.Status == OutboxStatus.Pending).MessageId);
        }
        async Task<string> Verdict(string messageId) =>
            (await Operator.OkAsync(Args("trace", messageId, "--json"))).Json().GetProperty("verdict").GetString()!;

        Assert.Equal("failed in the outbox to orders-seed after 10 attempt(s): Publish of message x to 'orders-seed' was not confirmed (Unroutable); "
            + $"once the cause is fixed: messaging outbox retry {failed}", await Verdict(failedId));
        Assert.StartsWith("sent to orders-seed at ", await Verdict(sentId), StringComparison.Ordinal);
        Assert.EndsWith("no handler of this database has recorded it (in flight, queued at the broker, or handled by a service with another database)",
            await Verdict(sentId), StringComparison.Ordinal);
        Assert.StartsWith("waiting in the outbox to orders-seed since ", await Verdict(pendingId), StringComparison.Ordinal);
        Assert.StartsWith("nothing about this message id in this database", await Verdict("no-such-message"), StringComparison.Ordinal);

        var table = await Operator.OkAsync(Args("trace", failedId));
        Assert.Contains("verdict: failed in the outbox", table.Output, StringComparison.Ordinal);
        Assert.Contains("Unroutable", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pending_rows_of_a_transport_no_instance_uses_are_retargeted_with_their_message_ids_and_stats_name_each_transport_once()
    {
        await using (var db = fixture.Database.Open())
        {
            await db.Set<OutboxMessage>().ExecuteDeleteAsync();
            OutboxMessage Row(string? transport, OutboxStatus status)
            {
                var row = OutboxRows.ToRow(new Envelope { MessageId = Envelope.NewMessageId(), MessageType = "ops.ordered", Destination = "orders-seed", Body = "{}"u8.ToArray() }, transport);
                row.Status = status;
                return row;
            }
            db.AddRange(Row("Kafka", OutboxStatus.Pending), Row("kafka", OutboxStatus.Pending), Row("Kafka", OutboxStatus.Sent),
                Row(null, OutboxStatus.Pending), Row("RabbitMq", OutboxStatus.Pending)); // null: written before rows named their transport
            await db.SaveChangesAsync();
        }
        var ids = await PendingIdsAsync("Kafka");

        var stats = (await Operator.OkAsync([.. Args("outbox", "stats", "--json")])).Json().GetProperty("rows").EnumerateArray()
            .Select(r => $"{r.GetProperty("status").GetString()} {r.GetProperty("transport").GetString()} {r.GetProperty("count").GetInt32()}").ToList();
        Assert.Equal(["Pending (none) 1", "Pending Kafka 2", "Pending RabbitMq 1", "Sent Kafka 1"], stats.Order(StringComparer.Ordinal));
        var retarget = await Operator.OkAsync(Args("outbox", "retarget", "--from", "kafka", "--to", "RabbitMq", "--yes"));

        Assert.Contains("2 Pending row(s) of kafka now go through RabbitMq", retarget.Output, StringComparison.Ordinal);
        Assert.Equal(ids, await PendingIdsAsync("RabbitMq", except: ids));
        await using var check = fixture.Database.Open();
        Assert.Equal(1, await check.Set<OutboxMessage>().CountAsync(m => m.Transport == "Kafka")); // the Sent row is left as it was
    }

    [Fact]
    public async Task Without_config_the_tool_reads_the_appsettings_json_of_the_current_folder()
    {
        await SeedAsync();
        var folder = Directory.CreateTempSubdirectory("messaging-cli-").FullName;
        var before = Environment.CurrentDirectory;
        try
        {
            var settings = new Dictionary<string, object>
            {
                ["ConnectionStrings"] = new Dictionary<string, string> { ["Orders"] = fixture.Database.ConnectionString },
                ["Messaging"] = new Dictionary<string, string> { ["Transport"] = "RabbitMq" },
            };
            await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), System.Text.Json.JsonSerializer.Serialize(settings));
            Environment.CurrentDirectory = folder; // the operations tests run one at a time (xunit.runner.json)

            var stats = (await Operator.OkAsync("outbox", "stats", "--json")).Json();

            Assert.Equal(4, stats.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("count").GetInt32()));
            Assert.All(stats.GetProperty("rows").EnumerateArray(), r => Assert.Equal("RabbitMq", r.GetProperty("transport").GetString())); // rows without one: the primary
        }
        finally
        {
            Environment.CurrentDirectory = before;
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<List<string>> PendingIdsAsync(string transport, List<string>? except = null)
    {
        await using var db = fixture.Database.Open();
        var rows = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Pending).ToListAsync();
        return [.. rows.Where(m => string.Equals(m.Transport, transport, StringComparison.OrdinalIgnoreCase)).Select(m => m.MessageId)
            .Where(id => except is null || except.Contains(id)).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Forgetting_an_inbox_entry_runs_the_handler_again_for_the_same_message_id()
    {
        await using var app = OpsApp.Create(fixture);
        await app.StartAsync();
        var messageId = await app.PlaceAsync("i-1");
        await Wait.UntilAsync(async () => await app.AppliedAsync(messageId) == 1, "the order applied");

        var handlers = (await Operator.OkAsync(Args("inbox", "stats", "--json"))).Json().GetProperty("handlers").EnumerateArray().ToList();
        Assert.Contains(handlers, h => h.GetProperty("handler").GetString() == "apply-order" && h.GetProperty("rows").GetInt32() >= 1);
        var forgotten = (await Operator.OkAsync(Args("inbox", "forget", "--message-id", messageId, "--handler", "apply-order", "--yes", "--json"))).Json();
        Assert.Equal(1, forgotten.GetProperty("forgotten").GetInt32());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The same message again (a producer retry): forgotten by the inbox, so applied a second time, on purpose.
            var db = scope.ServiceProvider.GetRequiredService<OpsContext>();
            var envelope = new Envelope { MessageId = messageId, MessageType = "ops.ordered", Destination = app.Destination, PartitionKey = "i-1", Body = "{\"orderId\":\"i-1\",\"poison\":false}"u8.ToArray() };
            scope.ServiceProvider.GetRequiredService<IOutbox>().Enqueue(envelope);
            await db.SaveChangesAsync();
        }
        await Wait.UntilAsync(async () => await app.AppliedAsync(messageId) == 2, "the forgotten message applied again");
    }

    [Fact]
    public async Task Inbox_purge_deletes_old_rows_in_batches_but_keeps_those_of_a_parked_dead_letter()
    {
        await using (var db = fixture.Database.Open())
        {
            await db.Set<InboxRecord>().ExecuteDeleteAsync();
            await db.Set<DeadLetter>().ExecuteDeleteAsync();
            var old = DateTime.UtcNow.AddDays(-40);
            for (var i = 0; i < 2_500; i++) db.Add(new InboxRecord { MessageId = $"old-{i}", HandlerName = "apply-order", ReceivedAt = old, ProcessedAt = old });
            db.Add(new InboxRecord { MessageId = "new-1", HandlerName = "apply-order", ReceivedAt = DateTime.UtcNow, ProcessedAt = DateTime.UtcNow });
            db.Add(new DeadLetter
            {
                MessageId = "old-7", MessageType = "ops.ordered", Endpoint = "e", HandlerName = "notify", Transport = "RabbitMq", Destination = "d",
                Source = "s", DeadLetterDestination = "e.dlq", Reason = "r", ContentType = "application/json", SentAt = old, FirstFailedAt = old,
                LastFailedAt = old, Failures = 1, Status = DeadLetterStatus.Parked,
            });
            await db.SaveChangesAsync();
        }

        var refused = await Operator.RunAsync(Args("inbox", "purge", "--older-than", "30d"));
        Assert.Equal(1, refused.ExitCode);
        var purged = await Operator.OkAsync(Args("inbox", "purge", "--older-than", "30d", "--yes"));

        Assert.Contains("2499 inbox row(s) processed before ", purged.Output, StringComparison.Ordinal);
        await using (var db = fixture.Database.Open())
            Assert.Equal(["new-1", "old-7"], await db.Set<InboxRecord>().OrderBy(r => r.MessageId).Select(r => r.MessageId).ToListAsync());
    }

    [Fact]
    public async Task A_redrive_can_start_with_a_canary_batch_and_go_on_at_a_bounded_rate()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Envelope.NewMessageId()).ToList();
        await using (var db = fixture.Database.Open())
        {
            await db.Set<DeadLetter>().ExecuteDeleteAsync();
            await db.Set<OutboxMessage>().ExecuteDeleteAsync();
            var at = DateTime.UtcNow.AddMinutes(-5);
            foreach (var id in ids)
                db.Add(new DeadLetter
                {
                    MessageId = id, MessageType = "ops.ordered", Endpoint = "e", HandlerName = "apply-order", Transport = "RabbitMq", Destination = "orders",
                    Source = "s", DeadLetterDestination = "e.dlq", Reason = "r", ContentType = "application/json", Body = "{}"u8.ToArray(), SentAt = at,
                    FirstFailedAt = at, LastFailedAt = at, Failures = 1, Status = DeadLetterStatus.Parked,
                });
            await db.SaveChangesAsync();
        }

        var dryRun = await Operator.OkAsync(Args("dlq", "redrive", "--all", "--first", "2", "--dry-run"));
        Assert.Contains("dry run: would re-drive 2 dead letter(s)", dryRun.Output, StringComparison.Ordinal);
        await using (var db = fixture.Database.Open())
            Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync());
        var canary = (await Operator.OkAsync(Args("dlq", "redrive", "--all", "--first", "2", "--yes", "--json"))).Json();
        Assert.Equal((2, 5), (canary.GetProperty("count").GetInt32(), canary.GetProperty("selected").GetInt32()));
        Assert.Equal(ids[..2], canary.GetProperty("messageIds").EnumerateArray().Select(e => e.GetString()));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rest = (await Operator.OkAsync(Args("dlq", "redrive", "--all", "--rate", "10", "--yes", "--json"))).Json();
        clock.Stop();
        Assert.Equal((3, 3), (rest.GetProperty("count").GetInt32(), rest.GetProperty("selected").GetInt32()));
        // 3 messages at most 10 a second: the third may go no sooner than 0.2 s after the first.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"3 re-drives at 10/s took {clock.Elapsed.TotalMilliseconds} ms");
        await using (var db = fixture.Database.Open())
            Assert.Equal(ids.Order(), (await db.Set<OutboxMessage>().Select(m => m.MessageId).ToListAsync()).Order());

        var nothing = await Operator.RunAsync(Args("dlq", "redrive", "--all", "--yes"));
        Assert.Contains("nothing to re-drive", nothing.Error, StringComparison.Ordinal);
        var badRate = await Operator.RunAsync(Args("dlq", "redrive", "--all", "--rate", "0", "--yes"));
        Assert.Equal(1, badRate.ExitCode);
        Assert.Contains("--rate must be above 0", badRate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_are_one_line_with_a_nonzero_exit_code()
    {
        var missing = await Operator.RunAsync("outbox", "stats", "--connection", "Data Source=/nonexistent/dir/app.db", "--provider", "sqlite");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("messaging: SQLite database '/nonexistent/dir/app.db' does not exist (a relative path is taken from the current directory).", missing.Error.Trim());
        var none = await Operator.RunAsync("dlq", "list");
        Assert.Equal(1, none.ExitCode);
        Assert.Single(none.Error.Trim().Split('\n'));
        var usage = await Operator.RunAsync("outbox", "list", "--status", "Lost");
        Assert.Equal(2, usage.ExitCode);
    }
}

public sealed class SqliteOutboxAndInboxCommands(InMemorySqlite fixture) : OutboxAndInboxCommandTests(fixture), IClassFixture<InMemorySqlite>;

/// <summary>The commands on PostgreSQL, and what only a server with logins has: a refused login.</summary>
public sealed class PostgresOutboxAndInboxCommands : OutboxAndInboxCommandTests, IClassFixture<InMemoryPostgres>
{
    private readonly InMemoryPostgres _fixture;

    public PostgresOutboxAndInboxCommands(InMemoryPostgres fixture) : base(fixture) => _fixture = fixture;

    [Fact]
    public async Task A_refused_login_says_why_and_no_output_shows_the_password()
    {
        // A role of its own, so its password is a string nothing else prints (the server's is "postgres", also the provider's name).
        var secret = "s3cret-" + Guid.NewGuid().ToString("N")[..8];
        var role = "ops_" + Guid.NewGuid().ToString("N")[..8];
        await using (var db = _fixture.Database.Open())
#pragma warning disable EF1002 // role names cannot be parameters; both are made here of hex digits
            await db.Database.ExecuteSqlRawAsync($"CREATE ROLE {role} LOGIN PASSWORD '{secret}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};");
#pragma warning restore EF1002
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(_fixture.Database.ConnectionString) { Username = role, Password = secret }.ToString();
        var stats = await Operator.OkAsync("outbox", "stats", "--connection", connection, "--provider", "postgres");
        var listed = await Operator.OkAsync("dlq", "list", "--connection", connection, "--json");
        var refused = await Operator.RunAsync("outbox", "stats", "--connection", connection.Replace(secret, secret + "-wrong", StringComparison.Ordinal));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("password authentication failed", refused.Error, StringComparison.Ordinal);
        Assert.All(new[] { stats, listed, refused }, r => Assert.DoesNotContain(secret, r.Output + r.Error, StringComparison.Ordinal));
    }
}
