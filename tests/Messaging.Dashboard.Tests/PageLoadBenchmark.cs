using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Messaging.Dashboard.Tests;

/// <summary>
/// Benchmark, prints only: each page's load time with 1,000,000 outbox rows (1 % Pending) and 100,000 parked dead letters
/// in 20 failure groups, on SQLite, over HTTP to Kestrel on 127.0.0.1; 6 requests per page, the first a warm-up, median
/// and min-max of the other 5. Runs only with <c>MESSAGING_BENCH=1</c>; no timing is asserted.
/// <c>MESSAGING_BENCH=1 dotnet test tests/Messaging.Dashboard.Tests --filter Category=Benchmark --logger "console;verbosity=detailed"</c>
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class PageLoadBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Page_load_with_100k_dead_letters_and_1M_outbox_rows()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("MESSAGING_BENCH") == "1", "a benchmark: runs only with MESSAGING_BENCH=1");
        await using var app = await DashboardApp.StartAsync();
        await app.QueryAsync(async db =>
        {
            db.Database.SetCommandTimeout(600);
            await db.Database.ExecuteSqlRawAsync("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                INSERT INTO messaging_outbox (message_id, message_type, destination, partition_key, headers, body, content_type, created_at, transport, attempts, status, sent_at)
                SELECT 'm-' || i, 'orders.placed', 'orders', 'c-' || (i % 1000), '{{}}', x'7b7d', 'application/json', strftime('%Y-%m-%d %H:%M:%f', 'now'), 'RabbitMq', 0,
                       CASE WHEN i % 100 = 0 THEN 'Pending' ELSE 'Sent' END, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM n;
                """);
            await db.Database.ExecuteSqlRawAsync("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
                INSERT INTO messaging_dead_letters (message_id, message_type, destination, partition_key, headers, body, content_type, endpoint, handler_name, transport, source,
                  dead_letter_destination, reason, exception_type, exception_message, failure_site, fingerprint, attempts, sent_at, first_failed_at, last_failed_at,
                  failures, redrive_count, status, key_ordered)
                SELECT 'd-' || i, 'orders.placed', 'orders', 'c-' || (i % 1000), '{{}}', x'7b7d', 'application/json', 'order-service', 'apply-order', 'RabbitMq', 's', 'order-service.dlq',
                  'handler apply-order failed', 'System.InvalidOperationException', 'boom', 'Orders.Apply.HandleAsync', printf('%012x', i % 20), 3,
                  strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'), 1, 0, 'Parked', 0 FROM n;
                """);
            return 0;
        });
        using var alice = app.Client("alice", "ops");
        foreach (var (name, path) in new[] { ("overview", "/messaging/"), ("group of 5,000", "/messaging/dead-letters?group=000000000001"),
            ("one dead letter", "/messaging/dead-letters/d-1"), ("outbox Pending", "/messaging/outbox?status=Pending"), ("inbox", "/messaging/inbox"), ("brokers", "/messaging/brokers") })
        {
            var times = new List<double>();
            for (var round = 0; round < 6; round++)
            {
                var clock = Stopwatch.StartNew();
                var response = await alice.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                clock.Stop();
                Assert.True(response.IsSuccessStatusCode, body);
                if (round > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first warms up
            }
            times.Sort();
            output.WriteLine($"{name}: median {times[2]:0} ms ({times[0]:0}-{times[^1]:0}), 5 requests after one warm-up");
        }
    }
}
